package dev.flowkit.runtime

import dev.flowkit.runtime.networks.Activations
import dev.flowkit.spec.Activation
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs
import kotlin.math.exp

/** SiLU by the fused kernel against x σ(x) written out, value and gradient (TensorFlow's own, and the closed form). */
class ActivationsSpec : FunSpec({
    test("SiLU for sampling (the fused kernel, its registered gradient) and for training equal x σ(x) and σ(x) (1 + x (1 − σ(x)))") {
        val random = Random(9)
        val x = Array(40) { FloatArray(7) { (4 * random.nextGaussian()).toFloat() } }
        graph {
            val at = constant(x)
            val fused = Activations.apply(tf, at, Activation.SILU, false) // for sampling: the fused kernel
            val forTraining = Activations.apply(tf, at, Activation.SILU, true)
            fused.asOutput().op().type() shouldBe "_MklSwish" // the fused kernel, not the fallback
            forTraining.asOutput().op().type() shouldBe "Mul"
            val written = tf.math.mul(at, tf.math.sigmoid(at))
            val upstream = Array(x.size) { i -> FloatArray(x[i].size) { j -> 0.5f + 0.1f * j - 0.03f * i } }
            val weights = constant(upstream) // a non-uniform gradient from above
            fun gradient(y: org.tensorflow.Operand<TFloat32>) =
                matrix(tf.gradients(tf.reduceSum(tf.math.mul(y, weights), tf.constant(intArrayOf(0, 1))), listOf(at)).dy<TFloat32>(0))
            val (yFused, yWritten) = matrix(fused) to matrix(written)
            val (gFused, gWritten) = gradient(fused) to gradient(written)
            val (yTraining, gTraining) = matrix(forTraining) to gradient(forTraining)
            for (i in x.indices) for (j in x[i].indices) {
                val v = x[i][j].toDouble()
                val s = 1 / (1 + exp(-v))
                yFused[i][j].toDouble() shouldBe (yWritten[i][j].toDouble() plusOrMinus 1e-6 * (1 + abs(v)))
                yTraining[i][j].toDouble() shouldBe (yWritten[i][j].toDouble() plusOrMinus 1e-6 * (1 + abs(v)))
                val closed = upstream[i][j] * s * (1 + v * (1 - s))
                gFused[i][j].toDouble() shouldBe (closed plusOrMinus 1e-5 * (1 + abs(closed)))
                gWritten[i][j].toDouble() shouldBe (closed plusOrMinus 1e-5 * (1 + abs(closed)))
                gTraining[i][j].toDouble() shouldBe (closed plusOrMinus 1e-5 * (1 + abs(closed)))
            }
        }
    }
})
