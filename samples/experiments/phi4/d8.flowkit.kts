// The Kotlin-script twin of d8.json (a test keeps the two equal).
experiment("phi4-d8") {
    seed = 8
    data { langevin(potential = phi4Chain(d = 8, lambda = 0.03), temperature = 8.0, samples = 100000, reference = 100000, dt = 0.003, steps = 1500, init = gaussianMixture(means = listOf(listOf(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), listOf(-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0)), stds = listOf(0.3, 0.3)), integrator = LangevinIntegrator.MALA, seed = 1008, save = "data/phi4/d8.npy") }
    path { gaussian(schedule = vp()) }
    network { conv1d(channels = 32, layers = 4, kernel = 5, predicts = Prediction.NOISE, odd = true) }
    train {
        scoreMatching(weighting = Weighting.NOISE_VARIANCE)
        steps = 16000
        batchSize = 512
        adam(learningRate = 0.001, decay = Decay.COSINE)
    }
    sample { eulerMaruyama(steps = 100); count = 100000 }
    evaluate { meanCovError(); marginals(coordinates = listOf(0, 2, 4), pair = listOf(3, 4)) }
}
