package dev.flowkit.runtime.networks

import dev.flowkit.runtime.graph
import dev.flowkit.runtime.graph.NativeKernels
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.ndarray.Shape
import org.tensorflow.ndarray.buffer.DataBuffers
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs

/** An MLP layer act(x W + b) by the native kernel (for sampling, and keeping z for training) (where loaded) against MatMul, the bias and x σ(x): values and gradients. */
class FusedDenseSpec : FunSpec({
    data class Case(val rows: Int, val inputs: Int, val outputs: Int, val silu: Boolean, val rowBias: Boolean, val parts: List<Int> = listOf(inputs))

    // rows past the last tile of 6, columns past the last 16 and past the last 8, the 2D model's first and last layers
    val cases = listOf(Case(1000, 64, 64, true, false), Case(13, 3, 2, false, true), Case(5, 64, 24, true, true),
        Case(6, 7, 9, true, false), Case(20, 2, 64, true, true), Case(31, 64, 2, false, false), Case(1, 1, 1, true, false),
        // inputs in parts: the 2D model's training [x | t], a U-Net's [decoder | encoder] onto its 9 taps, three uneven parts
        Case(1000, 3, 64, true, false, listOf(2, 1)), Case(50, 96, 9, false, false, listOf(64, 32)), Case(17, 12, 20, true, true, listOf(5, 1, 6)))

    fun maxRelative(a: FloatArray, b: FloatArray): Double {
        a.size shouldBe b.size
        val scale = b.maxOf { abs(it) }.toDouble().coerceAtLeast(1.0)
        return a.indices.maxOf { abs(a[it] - b[it]).toDouble() } / scale
    }

    for (case in cases) for (training in listOf(false, true)) {
        test("act(x W + b) and its gradients equal the composition: $case, ${if (training) "z kept for training" else "for sampling"}") {
            val random = Random(case.rows * 31L + case.outputs)
            fun values(count: Int, scale: Double) = FloatArray(count) { (scale * random.nextGaussian()).toFloat() }
            graph {
                val xs = case.parts.map { tf.constant(Shape.of(case.rows.toLong(), it.toLong()), DataBuffers.of(*values(case.rows * it, 2.0))) }
                val ws = case.parts.map { tf.constant(Shape.of(it.toLong(), case.outputs.toLong()), DataBuffers.of(*values(it * case.outputs, 1.0))) }
                val bias = tf.constant(if (case.rowBias) Shape.of(1, case.outputs.toLong()) else Shape.of(case.outputs.toLong()), DataBuffers.of(*values(case.outputs, 1.0)))
                val weights = tf.constant(Shape.of(case.rows.toLong(), case.outputs.toLong()), DataBuffers.of(*values(case.rows * case.outputs, 1.0)))
                val fused = if (training) FusedDense.forTraining(tf, xs, ws, bias, case.silu) else FusedDense.apply(tf, xs, ws, bias, case.silu)
                if (NativeKernels.has(NativeKernels.DENSE)) fused.asOutput().op().type() shouldBe NativeKernels.DENSE
                fused.shape().asArray().toList() shouldBe listOf(case.rows.toLong(), case.outputs.toLong())
                fun joined(parts: List<Operand<TFloat32>>, axis: Int) = parts.singleOrNull() ?: tf.concat(parts, tf.constant(axis))
                val z = tf.math.add(tf.linalg.matMul(joined(xs, 1), joined(ws, 0)), bias)
                val composed = if (case.silu) tf.math.mul(z, tf.math.sigmoid(z)) else z
                maxRelative(flat(fused), flat(composed)) shouldBeLessThan 1e-5
                val targets: List<Operand<TFloat32>> = xs + ws + bias
                fun gradients(y: Operand<TFloat32>) = tf.gradients(tf.reduceSum(tf.math.mul(y, weights), tf.constant(intArrayOf(0, 1))), targets)
                    .let { g -> targets.indices.map { flat(g.dy<TFloat32>(it)) } }
                gradients(fused).zip(gradients(composed)).forEach { (a, b) -> maxRelative(a, b) shouldBeLessThan 1e-5 }
            }
        }
    }

    test("SiLU and its derivative from -100 to 100 equal x / (1 + e^-x) and σ(x)(1 + x(1 - σ(x))) in double precision") {
        // a 1 × 1 layer of weight 1 is SiLU itself; 1001 values leave a tail past the last full vector
        val xs = FloatArray(1001) { -100f + 0.2f * it }
        graph {
            val x = tf.constant(Shape.of(xs.size.toLong(), 1), DataBuffers.of(*xs))
            val y = FusedDense.forTraining(tf, listOf(x), listOf(tf.constant(arrayOf(floatArrayOf(1f)))), tf.constant(floatArrayOf(0f)), true)
            val dx = flat(tf.gradients(tf.reduceSum(y, tf.constant(intArrayOf(0, 1))), listOf(x)).dy<TFloat32>(0))
            val values = flat(y)
            for (i in xs.indices) {
                val v = xs[i].toDouble()
                val sigma = 1.0 / (1.0 + kotlin.math.exp(-v))
                // relative where the value is not tiny; below 1e-30 in absolute terms (e^-87 is where the kernels clamp)
                abs(values[i] - v * sigma) shouldBeLessThan 2e-6 * abs(v * sigma) + 1e-30
                abs(dx[i] - sigma * (1 + v * (1 - sigma))) shouldBeLessThan 2e-6 * abs(sigma * (1 + v * (1 - sigma))) + 1e-30
            }
        }
    }
})
