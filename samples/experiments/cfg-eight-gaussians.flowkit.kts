// The Kotlin-script twin of cfg-eight-gaussians.json (a test keeps the two equal).
experiment("cfg-eight-gaussians") {
    seed = 1
    data { circle(modes = 8, radius = 4.0, std = 0.8, labelled = true) }
    path { gaussian(schedule = linear()) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 5000
        batchSize = 1000
        labelDropout = 0.1
        adam(learningRate = 0.001)
    }
    sample { euler(steps = 100); count = 2000; guidance(1.0, 2.0, 4.0) }
    evaluate { wasserstein2(); classAccuracy() }
}
