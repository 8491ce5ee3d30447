package dev.flowkit.runtime

import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.model.ModelContext
import dev.flowkit.runtime.networks.Conv1dNetwork
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.spec.Activation
import dev.flowkit.spec.Conv1d
import dev.flowkit.spec.Prediction
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import java.util.Random
import kotlin.math.abs
import kotlin.math.exp

/** The 1D convolutional network against a direct evaluation of its formula, and its gradient against finite differences. */
class NetworksSpec : FunSpec({
    val spec = Conv1d(channels = 3, layers = 3, kernel = 3, dilate = true, activation = Activation.SILU)
    val d = 9
    val random = Random(4)
    val x = Array(2) { FloatArray(d) { random.nextGaussian().toFloat() } }
    val t = floatArrayOf(0.3f, 0.8f)

    test("conv1d computes zero-padded dilated convolutions (1, 2, 4) over [x_i, mean x], t per channel, SiLU, 1-channel output") {
        graph {
            val model = Conv1dNetwork(spec).build(tf, ModelContext(d, 0, Prediction.VELOCITY, GaussianPath(Linear()), RandomKey.of(tf, 1, 2)))
            val output = matrix(model.given(null).predict(tf, Prediction.VELOCITY, constant(x), constant(Array(2) { floatArrayOf(t[it]) })))
            val v = model.variables().map { flat(it) } // filter_l, b_l, wt_l (not for the last layer)
            for (n in 0..1) {
                var h = Array(d) { i -> doubleArrayOf(x[n][i].toDouble(), x[n].average()) }
                for (layer in 0..spec.layers) {
                    val (filter, bias) = v[3 * layer] to v[3 * layer + 1]
                    val dilation = if (layer < spec.layers) 1 shl layer else 1
                    val cin = h[0].size
                    val cout = bias.size
                    val next = Array(d) { i ->
                        DoubleArray(cout) { o ->
                            bias[o] + (0 until spec.kernel).sumOf { k ->
                                val j = i + (k - spec.kernel / 2) * dilation
                                if (j !in 0 until d) 0.0 else (0 until cin).sumOf { c -> h[j][c] * filter[(k * cin + c) * cout + o] }
                            }
                        }
                    }
                    h = if (layer == spec.layers) next else Array(d) { i ->
                        DoubleArray(cout) { o -> (next[i][o] + t[n] * v[3 * layer + 2][o]).let { z -> z / (1 + exp(-z)) } }
                    }
                }
                for (i in 0 until d) output[n][i].toDouble() shouldBe (h[i][0] plusOrMinus 1e-4 * (1 + abs(h[i][0])))
            }
        }
    }

    test("conv1d's TensorFlow gradient with respect to x matches central finite differences") {
        graph {
            val model = Conv1dNetwork(spec).build(tf, ModelContext(d, 0, Prediction.VELOCITY, GaussianPath(Linear()), RandomKey.of(tf, 1, 2)))
            val input = tf.placeholder(org.tensorflow.types.TFloat32::class.java)
            val weights = constant(Array(1) { FloatArray(d) { (it + 1).toFloat() / d } })
            val out = model.given(null).predict(tf, Prediction.VELOCITY, input, scalar(0.5))
            val objective = tf.reduceSum(tf.math.mul(out, weights), tf.constant(intArrayOf(0, 1)))
            val gradient = tf.gradients(objective, listOf(input)).dy<org.tensorflow.types.TFloat32>(0)
            fun eval(point: Array<FloatArray>, op: org.tensorflow.Operand<org.tensorflow.types.TFloat32>) =
                dev.flowkit.runtime.graph.Tensors.matrix(point).use { fed ->
                    rawSession.runner().feed(input, fed).fetch(op).run().use { r ->
                        val tensor = r.get(0) as org.tensorflow.types.TFloat32
                        FloatArray(tensor.size().toInt()).also { a -> var k = 0; tensor.scalars().forEach { a[k++] = it.getFloat() } }
                    }
                }
            val point = arrayOf(x[0].copyOf())
            val analytic = eval(point, gradient)
            val eps = 1e-2f
            for (i in 0 until d) {
                val plus = arrayOf(point[0].copyOf().also { it[i] += eps })
                val minus = arrayOf(point[0].copyOf().also { it[i] -= eps })
                val numeric = (eval(plus, objective)[0] - eval(minus, objective)[0]) / (2 * eps)
                analytic[i].toDouble() shouldBe (numeric.toDouble() plusOrMinus 2e-3 * (1 + abs(numeric.toDouble())))
            }
        }
    }

    test("odd conv1d is exactly antisymmetric: f(−x, t) = −f(x, t)") {
        graph {
            val model = Conv1dNetwork(spec.copy(odd = true)).build(tf, ModelContext(d, 0, Prediction.VELOCITY, GaussianPath(Linear()), RandomKey.of(tf, 1, 2)))
            val times = constant(Array(2) { floatArrayOf(t[it]) })
            val plus = matrix(model.given(null).predict(tf, Prediction.VELOCITY, constant(x), times))
            val minus = matrix(model.given(null).predict(tf, Prediction.VELOCITY, constant(Array(2) { n -> FloatArray(d) { -x[n][it] } }), times))
            plus.flatMap { it.toList() }.any { abs(it) > 1e-3 } shouldBe true // not trivially zero
            for (n in 0..1) for (i in 0 until d) minus[n][i].toDouble() shouldBe (-plus[n][i].toDouble() plusOrMinus 1e-6)
        }
    }
})
