package dev.flowkit.spark

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.compiler.SessionOptions
import dev.flowkit.runtime.distributions.Distribution
import dev.flowkit.runtime.distributions.LangevinDistribution
import dev.flowkit.runtime.output.Npy
import dev.flowkit.runtime.potentials.LangevinSimulation
import dev.flowkit.runtime.potentials.Potential
import dev.flowkit.runtime.sweep.SweepRunner
import dev.flowkit.spec.LangevinData
import dev.flowkit.spec.LangevinIntegrator
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Path

/**
 * Langevin chains simulated in shards on two executors equal the simulation on one machine with the same chunks;
 * a manifest saved by data.save is read back by the experiment instead of simulating again.
 */
class ShardedSimulationSpec : FunSpec({

    fun gibbs(save: Path) = experiment("gibbs") {
        data {
            langevin(potential = phi4Chain(d = 4, lambda = 0.03), temperature = 8.0, samples = 3000, reference = 1000, dt = 0.003, steps = 40,
                integrator = LangevinIntegrator.MALA, seed = 5, save = save.toString())
        }
        sample { count = 1000 }
    }.data as LangevinData

    fun init(spec: LangevinData) = Flowkit.create().components().resolve(spec.initOrDefault, Distribution::class.java)

    test("MALA chains in four shards on local-cluster[2,1,1024] equal one machine's, chunk for chunk, with merged moments") {
        val dir = tempdir().toPath()
        val spec = gibbs(dir.resolve("chains.json"))
        val chunkValues = 4 * 1000 // chunks of 1000 chains: four shards
        val result = LoopbackCluster.localCluster(dir, executors = 2).use { context ->
            ShardedSimulation.simulate(context, spec, 1000, chunkValues) { _, _ -> }
        }
        result.shards() shouldBe 4
        result.processes().size shouldBeGreaterThanOrEqual 2
        result.processes() shouldNotContain SweepRunner.PROCESS
        (result.acceptance() in 0.3..0.99) shouldBe true

        val local = LangevinSimulation(Potential(spec.potential), init(spec), 8.0, 0.003, 40, LangevinIntegrator.MALA, false,
            SessionOptions(1, 1), chunkValues).run(4000, 5)
        Npy.readRows(result.manifest()).values().toList() shouldBe local.toList()
        val first = (0 until 4000).sumOf { local[it * 4].toDouble() } / 4000
        result.mean()[0] shouldBe (first plusOrMinus 1e-9)

        // recorded with its chunking, so the experiment (default chunks) does not take these chains for its own
        val again = LangevinDistribution(spec, init(spec))
        (again.simulationSeconds() > 0) shouldBe true
    }

    test("data.save naming a manifest writes shards the experiment reads back; an .npy save is refused for a distributed run") {
        val dir = tempdir().toPath()
        val spec = gibbs(dir.resolve("saved/chains.json"))
        val first = LangevinDistribution(spec, init(spec))
        (first.simulationSeconds() > 0) shouldBe true
        (first.provenance()["acceptance"]!! in 0.3..0.99) shouldBe true // MALA reports its acceptance and tuned step for metrics.json
        (first.provenance()["stepSize"]!! > 0) shouldBe true
        val second = LangevinDistribution(spec, init(spec))
        second.simulationSeconds() shouldBe 0.0
        second.provenance()["readBack"] shouldBe 1.0
        Npy.readRows(dir.resolve("saved/chains.json")).values().size shouldBe 4000 * 4
        val npy = gibbs(dir.resolve("chains.npy"))
        val error = runCatching { ShardedSimulation.simulate(null, npy, 0) { _, _ -> } }.exceptionOrNull()
        error?.message shouldContain "data.save: a distributed simulation writes shards and a manifest; name a .json file, e.g. ${dir.resolve("chains")}.json"
    }
})
