// The Kotlin-script twin of mnist-mlp.json (a test keeps the two equal).
experiment("mnist-mlp") {
    seed = 3
    data { dataset(file = "data/mnist/images.npy", heldOut = 0.1, quantization = quantization(bits = 8, low = -1.0, high = 1.0)) }
    path { gaussian(schedule = linear()) }
    network { mlp(hidden = listOf(512, 512, 512), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 15000
        batchSize = 128
        logEvery = 100
        adam(learningRate = 0.0005)
    }
    sample { heun(steps = 50); count = 500 }
    evaluate { mmd(bandwidths = listOf(10.0, 20.0, 40.0)); likelihood(solver = dopri5(rtol = 1e-05, atol = 1e-05), divergence = hutchinson(probes = 1), points = 500) }
}
