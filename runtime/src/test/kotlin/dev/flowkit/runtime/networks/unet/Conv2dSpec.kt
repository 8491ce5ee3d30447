package dev.flowkit.runtime.networks.unet

import dev.flowkit.runtime.graph
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.networks.Parameters
import dev.flowkit.spec.Padding
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.ndarray.Shape
import org.tensorflow.ndarray.buffer.DataBuffers
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs

/** The output layer's stride-1 transposed convolution by shifted taps against TensorFlow's Conv2DBackpropInput. */
class Conv2dSpec : FunSpec({
    for (padding in listOf(Padding.VALID, Padding.SAME)) for (out in listOf(1, 3)) for (split in listOf(false, true)) {
        test("a stride-1 transposed convolution onto $out channel(s), $padding, ${if (split) "input in two channel blocks" else "one input"}, and its gradients equal Conv2DBackpropInput's") {
            graph {
                val n = 2; val h = 5; val w = 7; val inChannels = 6
                val height = if (padding == Padding.SAME) h else h + 2
                val width = if (padding == Padding.SAME) w else w + 2
                val p = Parameters(tf, RandomKey.of(tf, 3, -1))
                val conv = Conv2d(p, "output", inChannels, out, 1, padding, true, false)
                val filter = p.trainable().single()
                val random = Random(7)
                val x = tf.constant(Shape.of(n.toLong(), h.toLong(), w.toLong(), inChannels.toLong()),
                    DataBuffers.of(*FloatArray(n * h * w * inChannels) { random.nextGaussian().toFloat() }))
                val weights = tf.constant(Shape.of(n.toLong(), height.toLong(), width.toLong(), out.toLong()),
                    DataBuffers.of(*FloatArray(n * height * width * out) { random.nextGaussian().toFloat() }))
                // split: the input as channel blocks of 2 and 4, as the U-Net gives [decoder | encoder]
                val taps = if (split) conv.apply(tf, listOf(tf.slice(x, tf.constant(intArrayOf(0, 0, 0, 0)), tf.constant(intArrayOf(-1, -1, -1, 2))),
                    tf.slice(x, tf.constant(intArrayOf(0, 0, 0, 2)), tf.constant(intArrayOf(-1, -1, -1, 4)))), height, width)
                else conv.apply(tf, x, height, width)
                val reference = tf.nn.conv2dBackpropInput(tf.constant(intArrayOf(n, height, width, out)), filter, x,
                    listOf(1L, 1L, 1L, 1L), if (padding == Padding.SAME) "SAME" else "VALID")
                fun objective(y: Operand<TFloat32>) = tf.reduceSum(tf.math.mul(y, weights), tf.constant(intArrayOf(0, 1, 2, 3)))
                val ours = listOf(taps) + tf.gradients(objective(taps), listOf(x, filter)).let { listOf(it.dy<TFloat32>(0), it.dy<TFloat32>(1)) }
                val theirs = listOf(reference) + tf.gradients(objective(reference), listOf(x, filter)).let { listOf(it.dy<TFloat32>(0), it.dy<TFloat32>(1)) }
                flat(taps).size shouldBe n * height * width * out
                for ((a, b) in ours.zip(theirs)) {
                    val u = flat(a); val v = flat(b)
                    u.size shouldBe v.size
                    val scale = v.maxOf { abs(it) }.toDouble()
                    (u.indices.maxOf { abs(u[it] - v[it]) } / scale) shouldBeLessThan 1e-5
                }
            }
        }
    }
})
