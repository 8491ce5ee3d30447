// The Kotlin-script twin of mnist-score-sde-long.json (a test keeps the two equal).
experiment("mnist-score-sde-long") {
    seed = 1
    data { dataset(file = "data/mnist/images.npy", heldOut = 0.1, quantization = quantization(bits = 8, low = 0.0, high = 1.0)) }
    path { gaussian(schedule = exponentialVe(sigma = 25.0)) }
    network { unet(channels = listOf(32, 64, 128, 256), blocks = 0, embedding = 256, timeFeatures = TimeFeatures.FOURIER, fourierScale = 30.0, groups = 32, stemGroups = 4, padding = Padding.VALID, predicts = Prediction.NOISE) }
    train {
        scoreMatching(weighting = Weighting.NOISE_VARIANCE, maxTime = 0.99999)
        steps = 30000
        batchSize = 32
        logEvery = 100
        checkpointEvery = 1000
        evaluateEvery = 5000
        adam(learningRate = 0.0001)
        ema(decay = 0.999)
    }
    sample { eulerMaruyama(steps = 500); count = 1000; recordEvery = 50 }
    evaluate { likelihood(solver = dopri5(rtol = 1e-05, atol = 1e-05), divergence = hutchinson(probes = 1, distribution = ProbeDistribution.GAUSSIAN), points = 64, time = 0.99999); fid(labels = "data/mnist/labels.npy") }
}
