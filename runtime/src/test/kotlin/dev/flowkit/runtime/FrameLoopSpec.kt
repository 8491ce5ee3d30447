package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.graph.FrameLoop
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.samplers.ConstantNoise
import dev.flowkit.runtime.samplers.EulerMaruyamaSolver
import dev.flowkit.runtime.samplers.EulerSolver
import dev.flowkit.runtime.samplers.HeunSolver
import dev.flowkit.runtime.samplers.LangevinCorrector
import dev.flowkit.runtime.samplers.LangevinSampler
import dev.flowkit.runtime.samplers.MidpointSolver
import dev.flowkit.runtime.samplers.PredictorCorrector
import dev.flowkit.runtime.samplers.ReverseNoise
import dev.flowkit.runtime.samplers.Rk4Solver
import dev.flowkit.runtime.samplers.UnrolledSampler
import dev.flowkit.runtime.samplers.StepIndex
import dev.flowkit.runtime.samplers.TimeGrid
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Gaussian
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.ints.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.tensorflow.Graph
import org.tensorflow.Operand
import org.tensorflow.op.Ops
import org.tensorflow.types.TFloat32
import org.tensorflow.types.TInt32
import kotlin.math.pow

/**
 * Steps run as one loop frame (FrameLoop) are the same steps built one by one: the same numbers to the last bit, with
 * weights, per-step tables and per-step random streams read inside the loop; and a sampler's looped trajectory is its
 * step-by-step one.
 */
class FrameLoopSpec : FunSpec({
    @Suppress("UNCHECKED_CAST")
    fun floats(o: Operand<*>) = o as Operand<TFloat32>

    /** x ← tanh(x W + t_i) + 0.1 ξ_i with t_i = 0.3 + i/7 from a table and ξ_i from step i's own stream. */
    fun GraphHarness.step(g: Ops, x: Operand<TFloat32>, i: StepIndex, w: Operand<TFloat32>, key: RandomKey): Operand<TFloat32> {
        val t = i.scalar(g) { 0.3 + it / 7.0 }
        val noise = i.derive(key).normal(g, g.shape(x))
        return g.math.add(g.math.tanh(g.math.add(g.linalg.matMul(x, w), t)), g.math.mul(g.constant(0.1f), noise))
    }

    context("a looped step equals the steps built one by one, to the last bit") {
        withData(nameFn = { "steps ${it.first} to ${it.second - 1}" }, 0 to 2, 3 to 11, 4 to 5) { (from, to) ->
            graph {
                val w = tf.variable(constant(arrayOf(floatArrayOf(0.9f, -0.4f, 0.1f), floatArrayOf(0.3f, 0.8f, -0.6f), floatArrayOf(-0.2f, 0.5f, 0.7f))))
                val key = RandomKey.of(tf, 7, 2).derive(6)
                val x0 = constant(Array(5) { r -> FloatArray(3) { c -> (r - 2) * 0.5f + c } })
                var unrolled = x0
                for (i in from until to) unrolled = step(tf, unrolled, StepIndex.at(i), w, key)
                val looped = FrameLoop.repeat(tf, from, to, listOf(x0, tf.constant(0))) { g, k, state ->
                    listOf(step(g, floats(state[0]), StepIndex.range(g, k, from, to), w, key), g.math.add(state[1] as Operand<TInt32>, k))
                }
                looped[0].shape() shouldBe x0.shape()
                rawSession.initialize()
                matrix(floats(looped[0])).map { it.toList() } shouldBe matrix(unrolled).map { it.toList() }
                val sumOfK = rawSession.runner().fetch(looped[1]).run().use { (it.get(0) as TInt32).getInt() }
                sumOfK shouldBe (from until to).sum()
                (matrix(floats(looped[0])).map { it.toList() } == matrix(x0).map { it.toList() }) shouldBe false
            }
        }
    }

    test("a loop of no steps leaves the state as it was") {
        graph {
            val x0 = constant(arrayOf(floatArrayOf(1f, -2f)))
            val end = FrameLoop.repeat(tf, 5, 5, listOf(x0)) { g, _, state -> listOf(g.math.neg(floats(state[0]))) }
            matrix(floats(end[0])).map { it.toList() } shouldBe listOf(listOf(1f, -2f))
        }
    }

    test("loops in sibling scopes and side by side in one scope each get their own frame") {
        graph {
            val x0 = constant(arrayOf(floatArrayOf(1f, -2f)))
            val ends = listOf(tf.withSubScope("a"), tf.withSubScope("b"), tf, tf).mapIndexed { i, scope ->
                floats(FrameLoop.repeat(scope, 0, 3, listOf(x0)) { g, _, state -> listOf(g.math.add(floats(state[0]), g.constant(i.toFloat()))) }.let { it[0] })
            }
            ends.mapIndexed { i, end -> matrix(end)[0].toList() shouldBe listOf(1f + 3 * i, -2f + 3 * i) }
        }
    }

    test("the graph keeps its version: a scalar placeholder built after a loop is still known to be a scalar") {
        graph {
            FrameLoop.repeat(tf, 0, 3, listOf(constant(arrayOf(floatArrayOf(1f))))) { g, _, state -> listOf(g.math.neg(floats(state[0]))) }
            // at the version 0 of a GraphDef without versions, TensorFlow reads a scalar placeholder's shape as unknown
            tf.placeholder(TInt32::class.java, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.scalar())).shape().numDimensions() shouldBe 0
        }
    }

    test("a step may differentiate inside itself: gradient descent on ½‖x − c‖², x_n = c + (1 − η)ⁿ (x₀ − c)") {
        graph {
            val c = constant(arrayOf(floatArrayOf(1f, 1f)))
            val x0 = constant(arrayOf(floatArrayOf(3f, -1f), floatArrayOf(0.5f, 2f)))
            val end = FrameLoop.repeat(tf, 0, 9, listOf(x0)) { g, _, state ->
                val x = floats(state[0])
                val energy = g.reduceSum(g.math.mul(g.constant(0.5f), g.math.square(g.math.sub(x, c))), g.constant(intArrayOf(0, 1)))
                listOf(g.math.sub(x, g.math.mul(g.gradients(energy, listOf(x)).dy<TFloat32>(0), g.constant(0.25f))))
            }
            val x = matrix(floats(end[0]))
            val start = arrayOf(doubleArrayOf(3.0, -1.0), doubleArrayOf(0.5, 2.0))
            for (i in 0..1) for (j in 0..1) x[i][j].toDouble() shouldBe (1 + 0.75.pow(9) * (start[i][j] - 1) plusOrMinus 1e-5)
        }
    }

    test("the graph holds the step twice (its stand-in copy and the loop's), not once per step") {
        fun nodes(steps: Int): Int = Graph().use { g ->
            val tf = Ops.create(g)
            val x0 = tf.constant(arrayOf(floatArrayOf(1f, 2f)))
            FrameLoop.repeat(tf, 0, steps, listOf(x0)) { o, k, state ->
                listOf(o.math.add(o.math.mul(floats(state[0]), o.constant(0.5f)), o.dtypes.cast(k, TFloat32::class.java)))
            }
            var n = 0
            g.operations().forEachRemaining { n++ }
            n
        }
        nodes(1000) shouldBe nodes(10)
        nodes(10) shouldBeLessThan 40
    }

    test("a step that waits on an op outside the loop is refused with the op named") {
        graph {
            val outside = tf.withName("outside_op").noOp()
            val e = shouldThrow<IllegalStateException> {
                FrameLoop.repeat(tf, 0, 3, listOf(constant(arrayOf(floatArrayOf(1f))))) { g, _, state ->
                    listOf(g.withControlDependencies(listOf(outside)).math.neg(floats(state[0])))
                }
            }
            e.message shouldContain "outside_op"
        }
    }

    data class Looped(val sampler: () -> UnrolledSampler, val schedule: Schedule, val label: String)

    context("a sampler's looped trajectory (end only, or every 7 steps) is its step-by-step one") {
        withData(nameFn = { it.label },
            Looped({ EulerSolver(40) }, Linear(), "euler(40), linear"),
            Looped({ MidpointSolver(30) }, Linear(), "midpoint(30), linear"),
            Looped({ Rk4Solver(20) }, VariancePreserving(0.1, 20.0), "rk4(20), vp"),
            Looped({ HeunSolver(30) }, VariancePreserving(0.1, 20.0), "heun(30), vp: the Euler last step into β = 0 on its own"),
            Looped({ HeunSolver(30, TimeGrid.karras(7.0, 0.002, 80.0)) }, VarianceExploding(0.01, 50.0), "heun(30) on the karras grid, ve"),
            Looped({ EulerMaruyamaSolver(50, ReverseNoise()) }, VariancePreserving(0.1, 20.0), "reverse SDE (50), vp: per-step noise"),
            Looped({ EulerMaruyamaSolver(40, ConstantNoise(1.0)) }, Linear(), "euler-maruyama(40, σ = 1), linear"),
            Looped({ PredictorCorrector(EulerMaruyamaSolver(30, ReverseNoise()), LangevinCorrector(0.16, 2)) }, VariancePreserving(0.1, 20.0), "pc(reverse SDE (30), 2 corrector steps), vp"),
            Looped({ LangevinSampler(40, 0.01, 0.9) }, Linear(), "langevin(40) at t = 0.9"),
        ) { c ->
            val field = GaussianMixtureMarginal(threeModeMixture(), c.schedule)
            val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
            fun GraphHarness.nodes(): Int { var n = 0; (tf.scope().env() as Graph).operations().forEachRemaining { n++ }; return n }
            val (stepByStep, stepByStepNodes) = graph { runSampler(c.sampler().looping(false), field, field.path(), start, 64, withTrajectory = true, recordEvery = 1) to nodes() }
            val (looped, loopedNodes) = graph { runSampler(c.sampler(), field, field.path(), start, 64) to nodes() }
            loopedNodes shouldBeLessThan stepByStepNodes / 4 // it looped
            looped.samples().map { it.toList() } shouldBe stepByStep.samples().map { it.toList() }
            val every7 = graph { runSampler(c.sampler(), field, field.path(), start, 64, withTrajectory = true, recordEvery = 7) }
            every7.samples().map { it.toList() } shouldBe stepByStep.samples().map { it.toList() }
            val steps = stepByStep.trajectory().size - 1
            val recorded = (0..steps).filter { it % 7 == 0 || it == steps }
            every7.times().toList() shouldBe recorded.map { stepByStep.times()[it] }
            every7.trajectory().map { s -> s.map { it.toList() } } shouldBe recorded.map { i -> stepByStep.trajectory()[i].map { it.toList() } }
            // the steps moved the points
            (looped.samples()[0].toList() == stepByStep.trajectory()[0][0].toList()) shouldBe false
        }
    }
})
