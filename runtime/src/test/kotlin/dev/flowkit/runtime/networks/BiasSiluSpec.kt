package dev.flowkit.runtime.networks

import dev.flowkit.runtime.graph
import dev.flowkit.runtime.graph.NativeKernels
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.ndarray.Shape
import org.tensorflow.ndarray.buffer.DataBuffers
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs
import kotlin.math.exp

/** silu(h + bias) for sampling (the native kernel where loaded) and its registered gradient against the closed forms. */
class BiasSiluSpec : FunSpec({
    for (width in listOf(7, 24, 29)) for (rowBias in listOf(false, true)) {
        test("silu(h + bias) and its gradients in h and bias, width $width, bias ${if (rowBias) "[1, C]" else "[C]"}") {
            val random = Random(width.toLong())
            val rows = 33
            // wide values reach both tails of the sigmoid (e^±88 is where float's exp ends)
            val h = Array(rows) { i -> FloatArray(width) { if (i == 0) (if (it % 2 == 0) 100f else -100f) else (4 * random.nextGaussian()).toFloat() } }
            val b = FloatArray(width) { random.nextGaussian().toFloat() }
            val upstream = Array(rows) { i -> FloatArray(width) { j -> 0.5f + 0.1f * j - 0.03f * i } }
            graph {
                val x = constant(h)
                val bias = tf.constant(if (rowBias) Shape.of(1, width.toLong()) else Shape.of(width.toLong()), DataBuffers.of(*b))
                val y = Swish.withBias(tf, x, bias)
                if (NativeKernels.has(NativeKernels.BIAS_SILU)) y.asOutput().op().type() shouldBe NativeKernels.BIAS_SILU
                val objective = tf.reduceSum(tf.math.mul(y, constant(upstream)), tf.constant(intArrayOf(0, 1)))
                val g = tf.gradients(objective, listOf<Operand<TFloat32>>(x, bias))
                val values = matrix(y)
                val dx = matrix(g.dy<TFloat32>(0))
                val db = flat(g.dy<TFloat32>(1))
                db.size shouldBe width
                val dbClosed = DoubleArray(width)
                for (i in 0 until rows) for (j in 0 until width) {
                    val z = h[i][j].toDouble() + b[j]
                    val s = 1 / (1 + exp(-z))
                    values[i][j].toDouble() shouldBe (z * s plusOrMinus 1e-6 * (1 + abs(z)))
                    val dz = upstream[i][j] * s * (1 + z * (1 - s))
                    dx[i][j].toDouble() shouldBe (dz plusOrMinus 1e-5 * (1 + abs(dz)))
                    dbClosed[j] += dz
                }
                for (j in 0 until width) db[j].toDouble() shouldBe (dbClosed[j] plusOrMinus 1e-4 * (1 + abs(dbClosed[j])))
            }
        }
    }
})
