package dev.flowkit.spec

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.property.Arb
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.choice
import io.kotest.property.arbitrary.constant
import io.kotest.property.arbitrary.double
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.enum
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.list
import io.kotest.property.arbitrary.long
import io.kotest.property.arbitrary.orNull
import io.kotest.property.arbitrary.string
import io.kotest.property.checkAll

/** Any valid spec survives JSON unchanged: decode(encode(spec)) == spec, and encoding is stable. */
class RoundTripSpec : FunSpec({

    fun positive(max: Double = 10.0) = Arb.double(1e-3, max, includeNaNs = false)

    val data2d: Arb<DistributionSpec> = Arb.choice(
        arbitrary { Gaussian(2, Arb.list(Arb.double(-5.0, 5.0, false), 2..2).orNull().bind() ?: emptyList(), positive().bind()) },
        arbitrary {
            val k = Arb.int(1..5).bind()
            GaussianMixture(List(k) { Arb.list(Arb.double(-5.0, 5.0, false), 2..2).bind() }, List(k) { positive().bind() },
                if (Arb.int(0..1).bind() == 0) emptyList() else List(k) { positive().bind() })
        },
        arbitrary { Circle(Arb.int(1..12).bind(), positive().bind(), positive().bind()) },
        arbitrary { Moons(Arb.double(0.0, 1.0, false).bind(), positive().bind()) },
        arbitrary { Circles(Arb.double(0.0, 1.0, false).bind(), Arb.double(0.05, 0.95, false).bind(), positive().bind()) },
        arbitrary { Checkerboard(2 * Arb.int(1..6).bind(), positive().bind()) },
        arbitrary { Uniform(2, -Arb.double(0.0, 3.0, false).bind(), Arb.double(0.1, 3.0, false).bind()) },
    )
    val schedule: Arb<ScheduleSpec> = Arb.choice(
        Arb.constant<ScheduleSpec>(LinearSchedule), Arb.constant<ScheduleSpec>(CosineSchedule), Arb.constant<ScheduleSpec>(SqrtSchedule),
        arbitrary { PolynomialSchedule(Arb.double(1.0, 5.0, false).bind()) },
        arbitrary { Arb.double(0.0, 1.0, false).bind().let { lo -> VpSchedule(lo, lo + Arb.double(0.5, 40.0, false).bind()) } },
        arbitrary { Arb.double(0.0, 1.0, false).bind().let { lo -> SubVpSchedule(lo, lo + Arb.double(0.5, 40.0, false).bind()) } },
    )
    val grid: Arb<TimeGridSpec> = Arb.choice(
        Arb.constant<TimeGridSpec>(UniformGrid),
        arbitrary { KarrasGrid(Arb.double(1.0, 10.0, false).bind(), Arb.double(1e-4, 0.1, false).bind(), Arb.double(1.0, 100.0, false).bind()) },
        arbitrary { LogSnrGrid(Arb.double(1e-4, 0.1, false).bind(), Arb.double(1.0, 100.0, false).bind()) },
    )
    val sampler: Arb<SamplerSpec> = Arb.choice(
        arbitrary { Euler(Arb.int(1..500).bind(), grid.bind()) }, arbitrary { Heun(Arb.int(1..500).bind(), grid.bind()) },
        arbitrary { Rk4(Arb.int(1..500).bind()) }, arbitrary { DpmSolver(Arb.int(1..100).bind(), grid.bind()) },
        arbitrary { EdmHeun(Arb.int(1..100).bind(), grid.bind()) },
        arbitrary { EdmHeun(Arb.int(1..100).bind(), grid.bind(), Arb.double(0.0, 80.0, false).bind(), 0.05, Arb.double(1.0, 50.0, false).bind().takeIf { Arb.int(0..1).bind() == 0 }, 1.003) },
    )
    val metric: Arb<MetricSpec> = Arb.choice(
        Arb.constant<MetricSpec>(Wasserstein2), Arb.constant<MetricSpec>(MeanCovError), arbitrary { Mmd(Arb.list(positive(), 1..4).bind()) },
    )
    val spec = arbitrary {
        val data = data2d.bind()
        val linearPath = Arb.int(0..1).bind() == 0
        ExperimentSpec(
            name = Arb.string(1..20, "abcdefghijklmnopqrstuvwxyz0123456789-_.").bind(),
            seed = Arb.long().bind(),
            source = if (linearPath) Circles() else Arb.element(listOf<DistributionSpec?>(null, Gaussian(2))).bind(),
            data = data,
            path = if (linearPath) LinearPath else GaussianPath(schedule.bind()),
            network = Mlp(Arb.list(Arb.int(1..256), 1..5).bind(), Arb.enum<Activation>().bind()),
            train = TrainSpec(FlowMatching, Arb.int(1..100_000).bind(), Arb.int(1..4096).bind(),
                Adam(positive(1.0).bind(), listOf(Arb.double(0.0, 0.99, false).bind(), Arb.double(0.0, 0.9999, false).bind()),
                    positive(1e-3).bind(), positive().orNull().bind(), Arb.enum<Decay>().bind()),
                Arb.int(1..1000).bind(), Arb.int(0..10_000).bind()),
            sample = SampleSpec(sampler.bind(), Arb.int(2..5_000).bind(), Arb.int(1..50).bind()),
            evaluate = Arb.list(metric, 0..3).bind().distinctBy { it::class },
        )
    }

    test("decode(encode(spec)) == spec for any valid spec") {
        val json = SpecJson()
        checkAll(300, spec) { s ->
            val text = json.encode(s)
            val back = json.decode(text)
            back shouldBe s
            json.encode(back) shouldBe text
        }
    }

    test("spec.json form: defaults are written out and type tags follow the naming rule") {
        val text = SpecJson().encode(ExperimentSpec(name = "m", data = Moons()).withDefaults())
        val expected = """
            {
              "name": "m",
              "seed": 0,
              "source": {
                "type": "gaussian",
                "dim": 2,
                "mean": [],
                "std": 1.0
              },
              "data": {
                "type": "moons",
                "noise": 0.05,
                "scale": 3.0
              },
              "path": {
                "type": "gaussian",
                "schedule": {
                  "type": "linear"
                }
              },
        """.trimIndent()
        text.startsWith(expected) shouldBe true
    }
})
