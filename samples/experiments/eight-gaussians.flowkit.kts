// The Kotlin-script twin of eight-gaussians.json (a test keeps the two equal).
experiment("eight-gaussians") {
    seed = 1
    data { circle(modes = 8, radius = 4.0, std = 0.5) }
    path { gaussian(schedule = linear()) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 5000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { euler(steps = 100); count = 2000 }
    evaluate { wasserstein2(); mmd(); meanCovError() }
}
