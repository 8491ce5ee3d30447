// The Kotlin-script twin of mnist-cfg.json (a test keeps the two equal).
experiment("mnist-cfg") {
    seed = 1
    data { dataset(file = "data/mnist/images.npy", heldOut = 0.1, quantization = quantization(bits = 8, low = 0.0, high = 1.0), labels = "data/mnist/labels.npy") }
    path { gaussian(schedule = linear()) }
    network { unet(channels = listOf(32, 64, 128, 256), blocks = 0, embedding = 256, timeFeatures = TimeFeatures.FOURIER, fourierScale = 30.0, groups = 32, stemGroups = 4, padding = Padding.VALID, predicts = Prediction.VELOCITY) }
    train {
        flowMatching()
        steps = 7000
        batchSize = 128
        labelDropout = 0.1
        logEvery = 100
        checkpointEvery = 1000
        adam(learningRate = 0.0005)
        ema(decay = 0.999)
    }
    sample { edmHeun(steps = 10); count = 1000; recordEvery = 2; guidance(1.0, 2.0, 4.0) }
    evaluate { fid() }
}
