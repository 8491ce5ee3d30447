package dev.flowkit.runtime.networks.unet

import dev.flowkit.runtime.GraphHarness
import dev.flowkit.runtime.graph
import dev.flowkit.runtime.graph.NativeKernels
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.networks.Parameters
import dev.flowkit.spec.Activation
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.ndarray.Shape
import org.tensorflow.ndarray.buffer.DataBuffers
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs

/**
 * GroupNorm's native kernel (act(GN(x + shift)) and its gradient kernel) against the composition of TensorFlow ops,
 * and the composition against GroupNorm computed here in double precision.
 */
class GroupNormSpec : FunSpec({
    data class Case(val n: Int, val h: Int, val w: Int, val channels: Int, val groups: Int, val shift: Boolean, val silu: Boolean, val mean: Double, val sharedShift: Boolean = false)

    fun GraphHarness.tensor(random: Random, mean: Double, vararg shape: Int): Operand<TFloat32> =
        tf.constant(Shape.of(*shape.map { it.toLong() }.toLongArray()),
            DataBuffers.of(*FloatArray(shape.reduce(Int::times)) { (mean + random.nextGaussian()).toFloat() }))

    /** The largest difference over the largest value, or over [floor] if that is larger (gradients that vanish). */
    fun relativeError(a: FloatArray, b: FloatArray, floor: Double = 1e-30): Double {
        a.size shouldBe b.size
        val scale = b.maxOf { abs(it) }.toDouble().coerceAtLeast(floor)
        return a.indices.maxOf { abs(a[it] - b[it]).toDouble() } / scale
    }

    /** The norm with γ and β set to random values (they start at 1 and 0), x, shift and a random weighting of y. */
    class Setup(val norm: GroupNorm, val variables: List<Operand<TFloat32>>, val x: Operand<TFloat32>, val shift: Operand<TFloat32>?, val weights: Operand<TFloat32>)

    fun GraphHarness.setup(case: Case, seed: Long): Setup {
        val random = Random(seed)
        val p = Parameters(tf, RandomKey.of(tf, 1, -1))
        val norm = GroupNorm(p, "norm", case.groups, case.channels)
        val (gamma, beta) = p.trainable()
        flat(tf.assign(gamma, tensor(random, 1.0, case.channels)))
        flat(tf.assign(beta, tensor(random, 0.0, case.channels)))
        return Setup(norm, listOf(gamma, beta), tensor(random, case.mean, case.n, case.h, case.w, case.channels),
            if (case.shift) tensor(random, 0.0, if (case.sharedShift) 1 else case.n, case.channels) else null, tensor(random, 0.0, case.n, case.h, case.w, case.channels))
    }

    val cases = listOf(
        Case(2, 5, 7, 16, 4, shift = true, silu = true, mean = 0.0),
        Case(3, 5, 5, 16, 2, shift = true, silu = true, mean = 0.0, sharedShift = true), // one shift row for every example
        Case(3, 4, 4, 32, 8, shift = false, silu = true, mean = 0.5),
        Case(2, 6, 6, 8, 8, shift = true, silu = false, mean = 0.0), // one channel per group
        Case(2, 3, 5, 12, 3, shift = true, silu = true, mean = 0.0), // channels not a multiple of 8: the scalar tails
        Case(1, 9, 9, 24, 1, shift = false, silu = false, mean = 100.0), // one group, values far from zero
    )

    for (case in cases) {
        test("the native kernel equals the composition, values and gradients: $case").config(enabled = NativeKernels.has(NativeKernels.GROUP_NORM)) {
            graph {
                val s = setup(case, 11)
                val activation = if (case.silu) Activation.SILU else null
                val fused = s.norm.apply(tf, s.x, s.shift, case.h, case.w, activation, true)
                val composed = s.norm.composed(tf, s.x, s.shift, case.h, case.w, activation, true)
                relativeError(flat(fused), flat(composed)) shouldBeLessThan 2e-5
                val targets = listOfNotNull(s.x, s.shift) + s.variables
                fun gradients(y: Operand<TFloat32>) = tf.gradients(tf.reduceSum(tf.math.mul(y, s.weights), tf.constant(intArrayOf(0, 1, 2, 3))), targets)
                    .let { g -> targets.indices.map { flat(g.dy<TFloat32>(it)) } }
                // a group of one channel makes the shift's gradient vanish: compared at the scale of 1
                gradients(fused).zip(gradients(composed)).forEach { (a, b) -> relativeError(a, b, floor = 1.0) shouldBeLessThan 1e-4 }
            }
        }
    }

    test("the composition is GroupNorm: per example and group, zero mean and unit variance before γ and β, then SiLU") {
        val case = Case(2, 3, 4, 6, 2, shift = true, silu = true, mean = 3.0)
        graph {
            val s = setup(case, 5)
            val y = flat(s.norm.composed(tf, s.x, s.shift, case.h, case.w, Activation.SILU, false))
            val x = flat(s.x)
            val shift = flat(s.shift!!)
            val (gamma, beta) = s.variables.map { flat(it) }
            val pixels = case.h * case.w
            val width = case.channels / case.groups
            for (e in 0 until case.n) for (g in 0 until case.groups) {
                val z = (0 until pixels).flatMap { p -> (g * width until (g + 1) * width).map { c -> x[(e * pixels + p) * case.channels + c] + shift[e * case.channels + c].toDouble() } }
                val mean = z.average()
                val std = kotlin.math.sqrt(z.sumOf { (it - mean) * (it - mean) } / z.size + 1e-5)
                for (p in 0 until pixels) for (c in g * width until (g + 1) * width) {
                    val i = (e * pixels + p) * case.channels + c
                    val u = (x[i] + shift[e * case.channels + c] - mean) / std * gamma[c] + beta[c]
                    y[i].toDouble() shouldBe (u / (1 + kotlin.math.exp(-u)) plusOrMinusRelative 1e-4)
                }
            }
        }
    }
})

private infix fun Double.plusOrMinusRelative(tolerance: Double) = this plusOrMinus tolerance * (1 + abs(this))
