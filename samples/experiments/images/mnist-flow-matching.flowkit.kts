// The Kotlin-script twin of mnist-flow-matching.json (a test keeps the two equal).
experiment("mnist-flow-matching") {
    seed = 1
    data { dataset(file = "data/mnist/images.npy", heldOut = 0.1, quantization = quantization(bits = 8, low = 0.0, high = 1.0)) }
    path { gaussian(schedule = linear()) }
    network { unet(channels = listOf(32, 64, 128, 256), blocks = 0, embedding = 256, timeFeatures = TimeFeatures.FOURIER, fourierScale = 30.0, groups = 32, stemGroups = 4, padding = Padding.VALID, predicts = Prediction.VELOCITY) }
    train {
        flowMatching()
        steps = 7000
        batchSize = 128
        logEvery = 100
        checkpointEvery = 1000
        adam(learningRate = 0.0005)
        ema(decay = 0.999)
    }
    sample { dopri5(rtol = 1e-05, atol = 1e-05); count = 1000; recordEvery = 5 }
    evaluate { likelihood(solver = dopri5(rtol = 1e-05, atol = 1e-05), divergence = hutchinson(probes = 1, distribution = ProbeDistribution.GAUSSIAN), points = 256); fid(labels = "data/mnist/labels.npy") }
}
