package dev.flowkit.runtime.networks.unet

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

/**
 * The native 3×3 convolution and its transposed (`FlowkitConv2D`) against TensorFlow's Conv2D and
 * Conv2DBackpropInput: values, and the gradients for x and the filter.
 */
class ConvKernelSpec : FunSpec({
    /** x [n, h, w, c] → [n, height, width, out]. */
    data class Case(val n: Int, val h: Int, val w: Int, val c: Int, val out: Int, val height: Int, val width: Int, val stride: Int,
                    val padding: String, val transposed: Boolean)

    val cases = listOf(
        // the ScoreNet's layers at a small batch: VALID, 28 → 26 → 12 → 5 → 2 and back up (5 → 12 and 12 → 26 with output padding)
        Case(2, 28, 28, 1, 32, 26, 26, 1, "VALID", false),
        Case(2, 26, 26, 32, 64, 12, 12, 2, "VALID", false),
        Case(3, 12, 12, 64, 128, 5, 5, 2, "VALID", false),
        Case(2, 5, 5, 128, 256, 2, 2, 2, "VALID", false),
        Case(2, 2, 2, 256, 128, 5, 5, 2, "VALID", true),
        Case(2, 5, 5, 256, 64, 12, 12, 2, "VALID", true),
        Case(1, 12, 12, 128, 32, 26, 26, 2, "VALID", true),
        // SAME: residual blocks (stride 1) and the default U-Net's 28 → 14 → 7 → 4 and back
        Case(2, 7, 7, 24, 24, 7, 7, 1, "SAME", false),
        Case(2, 7, 7, 16, 16, 4, 4, 2, "SAME", false),
        Case(2, 4, 4, 16, 16, 7, 7, 2, "SAME", true),
        Case(2, 7, 8, 5, 9, 14, 16, 2, "SAME", true),
        Case(2, 9, 9, 3, 17, 9, 9, 1, "SAME", true),
        // channels past the last 16 and 8, odd sizes, a stride of 3 (taps of one residue each)
        Case(3, 11, 9, 7, 20, 5, 4, 2, "VALID", false),
        Case(2, 10, 10, 6, 5, 4, 4, 3, "SAME", false),
        Case(2, 3, 3, 5, 6, 9, 9, 3, "VALID", true),
    )

    fun maxRelative(a: FloatArray, b: FloatArray): Double {
        a.size shouldBe b.size
        val scale = b.maxOf { abs(it) }.toDouble().coerceAtLeast(1e-6)
        return a.indices.maxOf { abs(a[it] - b[it]).toDouble() } / scale
    }

    for (case in cases) {
        test("the native kernel equals TensorFlow's convolution, values and gradients: $case").config(enabled = ConvKernel.isNative()) {
            val random = Random(case.hashCode().toLong())
            fun tensor(vararg shape: Int) = FloatArray(shape.reduce(Int::times)) { random.nextGaussian().toFloat() }
            graph {
                fun constant(vararg shape: Int): Operand<TFloat32> =
                    tf.constant(Shape.of(*shape.map { it.toLong() }.toLongArray()), DataBuffers.of(*tensor(*shape)))
                val x = constant(case.n, case.h, case.w, case.c)
                val filter = if (case.transposed) constant(3, 3, case.out, case.c) else constant(3, 3, case.c, case.out)
                val weights = constant(case.n, case.height, case.width, case.out)
                val native = ConvKernel.apply(tf, x, filter, case.stride, case.padding, case.transposed, case.height, case.width, case.out)
                native.asOutput().op().type() shouldBe NativeKernels.CONV
                native.shape().asArray().toList() shouldBe listOf(case.n, case.height, case.width, case.out).map { it.toLong() }
                val strides = listOf(1L, case.stride.toLong(), case.stride.toLong(), 1L)
                val reference = if (case.transposed) {
                    tf.nn.conv2dBackpropInput(tf.constant(intArrayOf(case.n, case.height, case.width, case.out)), filter, x, strides, case.padding)
                } else {
                    tf.nn.conv2d(x, filter, strides, case.padding)
                }
                maxRelative(flat(native), flat(reference)) shouldBeLessThan 1e-5
                val targets = listOf(x, filter)
                fun gradients(y: Operand<TFloat32>) = tf.gradients(tf.reduceSum(tf.math.mul(y, weights), tf.constant(intArrayOf(0, 1, 2, 3))), targets)
                    .let { g -> targets.indices.map { flat(g.dy<TFloat32>(it)) } }
                gradients(native).zip(gradients(reference)).forEach { (a, b) -> maxRelative(a, b) shouldBeLessThan 1e-5 }
            }
        }
    }
})
