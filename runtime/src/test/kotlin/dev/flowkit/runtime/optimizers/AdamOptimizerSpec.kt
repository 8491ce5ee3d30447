package dev.flowkit.runtime.optimizers

import dev.flowkit.runtime.graph
import dev.flowkit.spec.Adam
import dev.flowkit.spec.Decay
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import org.tensorflow.types.TFloat32
import org.tensorflow.types.TInt64
import kotlin.math.PI
import kotlin.math.cos
import kotlin.math.pow
import kotlin.math.sqrt

/** The in-graph Adam update against Adam written out by hand (Kingma & Ba, Algorithm 1). */
class AdamOptimizerSpec : FunSpec({

    test("five steps on f(w) = Σ (w − c)² follow the hand-computed Adam iterates, bias correction included") {
        val lr = 0.1
        val (b1, b2, eps) = Triple(0.8, 0.95, 1e-8)
        val start = doubleArrayOf(1.0, -2.0)
        val target = doubleArrayOf(3.0, 0.5)
        graph {
            val w = tf.withInitScope().let { tf.variable(it.constant(start.map { v -> v.toFloat() }.toFloatArray())) }
            val step = tf.variable(tf.constant(0L))
            val loss = tf.reduceSum(tf.math.square(tf.math.sub(w, tf.constant(target.map { it.toFloat() }.toFloatArray()))), tf.constant(0))
            val update = AdamOptimizer(Adam(lr, listOf(b1, b2), eps, null)).minimize(tf, loss, listOf(w), step, 5)
            // by hand
            val x = start.copyOf()
            val m = DoubleArray(2)
            val v = DoubleArray(2)
            for (k in 1..5) {
                rawSession.runner().addTarget(update).run().close()
                for (i in 0..1) {
                    val g = 2 * (x[i] - target[i])
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    val mHat = m[i] / (1 - b1.pow(k))
                    val vHat = v[i] / (1 - b2.pow(k))
                    x[i] -= lr * mHat / (sqrt(vHat) + eps)
                }
                val got = flat(w)
                for (i in 0..1) got[i].toDouble() shouldBe (x[i] plusOrMinus 1e-5)
            }
            rawSession.runner().fetch(step).run().use { (it.get(0) as TInt64).getLong() } shouldBe 5L
        }
    }

    test("with a constant gradient each Adam step moves by the scheduled learning rate: constant, cosine and linear decay") {
        val (lr, steps) = 0.01 to 20
        val schedules = mapOf(
            Decay.CONSTANT to { _: Int -> lr },
            Decay.COSINE to { k: Int -> lr * 0.5 * (1 + cos(PI * k / steps)) },
            Decay.LINEAR to { k: Int -> lr * (1 - k.toDouble() / steps) },
        )
        for ((decay, rate) in schedules) {
            graph {
                val w = tf.withInitScope().let { tf.variable(it.constant(floatArrayOf(0f, 0f))) }
                val step = tf.variable(tf.constant(0L))
                // loss 3 w₀ − 2 w₁: m̂ / √v̂ = sign(g), so step k moves w by exactly lr_k against the gradient's sign
                val loss = tf.reduceSum(tf.math.mul(w, tf.constant(floatArrayOf(3f, -2f))), tf.constant(0))
                val update = AdamOptimizer(Adam(lr, decay = decay)).minimize(tf, loss, listOf(w), step, steps.toLong())
                var moved = 0.0
                for (k in 0 until steps) {
                    rawSession.runner().addTarget(update).run().close()
                    moved += rate(k)
                    val got = flat(w)
                    got[0].toDouble() shouldBe (-moved plusOrMinus 1e-6)
                    got[1].toDouble() shouldBe (moved plusOrMinus 1e-6)
                }
            }
        }
    }

    test("clipping by global norm scales every gradient by min(1, c / ‖g‖)") {
        graph {
            val grads = listOf(tf.constant(floatArrayOf(3f, 0f)), tf.constant(floatArrayOf(0f, 4f)))
            val clipped = AdamOptimizer.clipByGlobalNorm(tf, grads, 1.0)
            flat(clipped[0]).toList() shouldBe listOf(0.6f, 0f)
            flat(clipped[1])[1].toDouble() shouldBe (0.8 plusOrMinus 1e-6)
            val untouched = AdamOptimizer.clipByGlobalNorm(tf, grads, 10.0)
            flat(untouched[1]).toList() shouldBe listOf(0f, 4f)
        }
    }
})

@Suppress("unused")
private val keepTypes = TFloat32::class
