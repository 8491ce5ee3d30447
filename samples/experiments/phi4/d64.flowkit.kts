// The Kotlin-script twin of d64.json (a test keeps the two equal).
experiment("phi4-d64") {
    seed = 64
    data { langevin(potential = phi4Chain(d = 64, lambda = 0.03), temperature = 8.0, samples = 100000, reference = 20000, dt = 0.003, steps = 1500, init = gaussianMixture(means = listOf(listOf(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), listOf(-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0)), stds = listOf(0.3, 0.3)), integrator = LangevinIntegrator.MALA, seed = 1064, save = "data/phi4/d64.npy") }
    path { gaussian(schedule = vp()) }
    network { conv1d(channels = 16, layers = 5, kernel = 5, predicts = Prediction.NOISE, odd = true) }
    train {
        scoreMatching(weighting = Weighting.NOISE_VARIANCE)
        steps = 8000
        batchSize = 512
        adam(learningRate = 0.001, decay = Decay.COSINE)
    }
    sample { eulerMaruyama(steps = 100); count = 20000 }
    evaluate { meanCovError(); marginals(coordinates = listOf(0, 16, 32), pair = listOf(31, 32)) }
}
