package dev.flowkit.dsl

import dev.flowkit.spec.Activation
import dev.flowkit.spec.Adam
import dev.flowkit.spec.Checkerboard
import dev.flowkit.spec.Circles
import dev.flowkit.spec.CosineSchedule
import dev.flowkit.spec.Euler
import dev.flowkit.spec.FlowMatching
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.GaussianPath
import dev.flowkit.spec.Heun
import dev.flowkit.spec.Rk4
import dev.flowkit.spec.VelocityAndScore
import dev.flowkit.spec.ReverseSigma
import dev.flowkit.spec.Prediction
import dev.flowkit.spec.Pc
import dev.flowkit.spec.LangevinCorrector
import dev.flowkit.spec.Langevin
import dev.flowkit.spec.EulerMaruyama
import dev.flowkit.spec.ConstantSigma
import dev.flowkit.spec.NoiseStdSigma
import dev.flowkit.spec.LinearPath
import dev.flowkit.spec.LinearSchedule
import dev.flowkit.spec.Mlp
import dev.flowkit.spec.Mmd
import dev.flowkit.spec.Moons
import dev.flowkit.spec.SpecException
import dev.flowkit.spec.SpecJson
import dev.flowkit.spec.SpecTypes
import dev.flowkit.spec.Wasserstein2
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

class DslSpec : FunSpec({

    val designJson = """
        {
          "name": "moons",
          "seed": 7,
          "source": {"type": "gaussian", "dim": 2},
          "data": {"type": "moons", "noise": 0.05, "scale": 3.0},
          "path": {"type": "gaussian", "schedule": {"type": "linear"}},
          "network": {"type": "mlp", "hidden": [64, 64, 64, 64], "activation": "silu"},
          "train": {"objective": {"type": "flow-matching"}, "steps": 5000, "batchSize": 1000,
                    "optimizer": {"type": "adam", "learningRate": 0.001}},
          "sample": {"sampler": {"type": "euler", "steps": 100}, "count": 2000},
          "evaluate": [{"type": "wasserstein2"}, {"type": "mmd"}]
        }
    """.trimIndent()

    test("the Kotlin DSL builds exactly the spec of the same experiment written as JSON") {
        val moons = experiment("moons") {
            seed = 7
            source { gaussian(dim = 2) }
            data { moons(noise = 0.05, scale = 3.0) }
            path { gaussian(schedule = linear()) }
            network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
            train { flowMatching(); steps = 5000; batchSize = 1000; adam(learningRate = 1e-3) }
            sample { euler(steps = 100); count = 2000 }
            evaluate { wasserstein2(); mmd() }
        }
        moons shouldBe SpecJson().decode(designJson)
        moons.path shouldBe GaussianPath(LinearSchedule)
        moons.train.optimizer shouldBe Adam(learningRate = 1e-3)
        moons.evaluate shouldBe listOf(Wasserstein2, Mmd())
    }

    test("Java builds the same spec through Consumer lambdas") {
        JavaDslExample.moons() shouldBe SpecJson().decode(designJson)
    }

    test("linear() is the interpolation path on its own and the linear schedule inside gaussian(...)") {
        experiment("a") { data { moons() }; source { circles() }; path { linear() } }.path shouldBe LinearPath
        experiment("b") { data { moons() }; path { gaussian(schedule = linear()) } }.path shouldBe GaussianPath(LinearSchedule)
        experiment("c") { data { moons() }; path { gaussian(schedule = cosine()) } }.path shouldBe GaussianPath(CosineSchedule)
    }

    test("omitted blocks take the documented defaults") {
        val spec = experiment("defaults") { data { checkerboard() } }
        spec.data shouldBe Checkerboard(squares = 4, size = 8.0)
        spec.sourceOrDefault shouldBe Gaussian(dim = 2)
        spec.path shouldBe GaussianPath(LinearSchedule)
        spec.network shouldBe Mlp(listOf(64, 64, 64, 64), Activation.SILU)
        spec.train.objective shouldBe FlowMatching
        spec.sample.sampler shouldBe Euler(100)
    }

    test("the DSL validates as it builds") {
        val e = shouldThrow<SpecException> {
            experiment("bad") { data { moons(noise = -1.0) }; train { steps = 0 }; sample { heun(steps = -2) } }
        }
        e.problems shouldBe listOf(
            "data.noise: must be a finite number >= 0, was -1.0",
            "train.steps: must be > 0, was 0",
            "sample.sampler.steps: must be between 1 and 10000, was -2",
        )
        shouldThrow<SpecException> { experiment("no-data") { seed = 1 } }.message shouldContain "data: is required"
        shouldThrow<SpecException> { experiment("empty") { data { } } }.message shouldContain "data: the block declares no component"
    }

    test("sources other than the standard Gaussian need the linear path") {
        shouldThrow<SpecException> { experiment("x") { source { circles() }; data { moons() } } }.problems.single() shouldContain
            "this gaussian path starts from N(0, 1² I)"
        experiment("x") { source { circles() }; data { moons() }; path { linear() } }.source shouldBe Circles()
    }

    test("issue-3 components: ve's default source, predicts, two networks, stochastic samplers and guidance") {
        val ve = experiment("ve") { data { checkerboard() }; path { gaussian(schedule = ve()) } }
        ve.sourceOrDefault shouldBe Gaussian(dim = 2, std = 50.0)
        ve.withDefaults().sample.sampler shouldBe Euler()
        val sde = experiment("sde") {
            data { moons() }
            path { gaussian(schedule = vp()) }
            network { mlp(predicts = Prediction.NOISE) }
            train { noisePrediction() }
            sample { eulerMaruyama() }
        }
        sde.prediction shouldBe Prediction.NOISE
        sde.withDefaults().sample.sampler shouldBe EulerMaruyama(500, ReverseSigma)
        experiment("flat") { data { moons() }; sample { eulerMaruyama(steps = 100, sigma = 0.5) } }
            .withDefaults().sample.sampler shouldBe EulerMaruyama(100, ConstantSigma(0.5))
        experiment("lf") { data { moons() }; sample { eulerMaruyama() } }.withDefaults().sample.sampler shouldBe
            EulerMaruyama(500, NoiseStdSigma(1.0))
        val pc = experiment("pc") {
            data { moons() }
            path { gaussian(schedule = ve()) }
            sample { pc(predictor = heun(steps = 80), corrector = langevin(snr = 0.2, steps = 2)) }
        }
        pc.sample.sampler shouldBe Pc(Heun(80), LangevinCorrector(0.2, 2))
        experiment("l") { data { moons() }; sample { langevin(steps = 50) } }.sample.sampler shouldBe Langevin(50)
        val two = experiment("two") {
            data { circle(labelled = true) }
            network { velocityAndScore(velocity = mlp(hidden = listOf(32)), score = mlp(predicts = Prediction.NOISE)) }
            train { flowAndScoreMatching(); labelDropout = 0.2 }
            sample { guidance(1.0, 3.0); classes(4, 0) }
            evaluate { classAccuracy() }
        }
        two.network shouldBe VelocityAndScore(Mlp(hidden = listOf(32)), Mlp(predicts = Prediction.NOISE))
        two.sample.guidance shouldBe listOf(1.0, 3.0)
        two.sample.classes shouldBe listOf(4, 0)
        two.conditional shouldBe true
        experiment("c") { data { circle(labelled = true) } }.guidanceScales shouldBe listOf(1.0)
        experiment("lik") { data { moons() }; evaluate { likelihood(solver = rk4(steps = 10), divergence = hutchinson(probes = 4)) } }
            .evaluate shouldBe listOf(dev.flowkit.spec.Likelihood(Rk4(10), dev.flowkit.spec.Hutchinson(4)))
    }

    test("Gibbs data: langevin with a built-in or a written potential, identical after a JSON round trip") {
        val phi4 = experiment("phi4") {
            data { langevin(potential = phi4Chain(d = 8, lambda = 0.03), temperature = 8.0, samples = 5000, dt = 1e-3, steps = 100) }
        }
        (phi4.data as dev.flowkit.spec.LangevinData).potential shouldBe dev.flowkit.spec.Phi4Chain(8, 0.03)
        // the README's example is the study's d = 64 experiment; a mixture written inside data { } as langevin's init leaves langevin the data
        val readme = experiment("phi4-d64") {
            seed = 64
            data {
                langevin(potential = phi4Chain(d = 64, lambda = 0.03), temperature = 8.0, reference = 20_000, dt = 0.003, steps = 1500,
                    init = gaussianMixture(means = listOf(List(64) { 1.0 }, List(64) { -1.0 }), stds = listOf(0.3, 0.3)),
                    integrator = dev.flowkit.spec.LangevinIntegrator.MALA, seed = 1064, save = "data/phi4/d64.npy")
            }
            path { gaussian(schedule = vp()) }
            network { conv1d(channels = 16, layers = 5, odd = true, predicts = Prediction.NOISE) }
            train { scoreMatching(); steps = 8000; batchSize = 512; adam(decay = dev.flowkit.spec.Decay.COSINE) }
            sample { eulerMaruyama(steps = 100); count = 20_000 }
            evaluate { meanCovError(); marginals(coordinates = listOf(0, 16, 32), pair = listOf(31, 32)) }
        }
        (readme.data as dev.flowkit.spec.LangevinData).initOrDefault.dim shouldBe 64
        readme.withDefaults() shouldBe SpecJson().decode(java.io.File("../samples/experiments/phi4/d64.json").readText()).withDefaults()
        phi4.data.dim shouldBe 8
        SpecJson().decode(SpecJson().encode(phi4)) shouldBe phi4
        val written = experiment("written") {
            data {
                langevin(potential = potential(dim = 4) { 0.5 * sum(square(x - vector(listOf(1.0, 2.0, 3.0, 4.0)))) + constant(1.0) },
                    integrator = dev.flowkit.spec.LangevinIntegrator.TAMED)
            }
        }
        val json = SpecJson().encode(written)
        json shouldContain "\"type\": \"potential\""
        json shouldContain "\"integrator\": \"tamed\""
        SpecJson().decode(json) shouldBe written
    }

    test("naming rule: every JSON type tag is its DSL function's name in kebab-case") {
        val scopes = listOf(DistributionScope::class.java, PathScope::class.java, NetworkScope::class.java,
            TrainScope::class.java, SampleScope::class.java, EvaluateScope::class.java, PotentialScope::class.java)
        // a property (PotentialScope.x) counts by its name
        val functions = scopes.flatMap { s -> s.methods.map { it.name.removePrefix("get").replaceFirstChar { c -> c.lowercaseChar() } } }.toSet()
        fun kebab(name: String) = name.replace(Regex("([a-z0-9])([A-Z])"), "$1-$2").lowercase()
        val tags = SpecTypes.builtIns.entriesView.map { it.tag }.toSet()
        val functionTags = functions.map(::kebab).toSet()
        functionTags shouldContainAll tags
        // and the fields of a component are its DSL function's parameters (spot checks)
        SpecJson().encode(experiment("m") { data { moons(noise = 0.1, scale = 2.0) } }) shouldContain
            "\"type\": \"moons\",\n    \"noise\": 0.1,\n    \"scale\": 2.0"
        experiment("h") { data { moons() }; sample { heun(steps = 7) } }.sample.sampler shouldBe Heun(7)
        experiment("m2") { data { moons() } }.data shouldBe Moons()
    }
})
