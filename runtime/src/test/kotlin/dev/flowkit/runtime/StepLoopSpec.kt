package dev.flowkit.runtime

import dev.flowkit.runtime.graph.StepLoop
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.types.TFloat32
import org.tensorflow.types.TInt32
import kotlin.math.pow

/** A step repeated in a While loop equals the closed form of that many steps, gradients inside the step included. */
class StepLoopSpec : FunSpec({
    context("gradient descent on ½‖x − c‖² in the loop: x_n = c + (1 − η)ⁿ (x₀ − c), k running 0 … n − 1") {
        withData(0, 1, 7) { n ->
            graph {
                val x0 = constant(arrayOf(floatArrayOf(3f, -1f), floatArrayOf(0.5f, 2f)))
                val c = constant(arrayOf(floatArrayOf(1f, 1f)))
                val eta = scalar(0.25)
                val end = StepLoop.repeat(tf, tf.constant(n), listOf(c, eta), listOf(x0, tf.constant(0))) { g, k, constants, state ->
                    @Suppress("UNCHECKED_CAST") val x = state[0] as Operand<TFloat32>
                    @Suppress("UNCHECKED_CAST") val centre = constants[0] as Operand<TFloat32>
                    @Suppress("UNCHECKED_CAST") val step = constants[1] as Operand<TFloat32>
                    val energy = g.reduceSum(g.math.mul(g.constant(0.5f), g.math.square(g.math.sub(x, centre))), g.constant(intArrayOf(0, 1)))
                    val gradient = g.gradients(energy, listOf(x)).dy<TFloat32>(0)
                    @Suppress("UNCHECKED_CAST") val sumOfK = g.math.add(state[1] as Operand<TInt32>, k)
                    listOf(g.math.sub(x, g.math.mul(gradient, step)), sumOfK)
                }
                @Suppress("UNCHECKED_CAST") val x = matrix(end[0] as Operand<TFloat32>)
                val start = arrayOf(doubleArrayOf(3.0, -1.0), doubleArrayOf(0.5, 2.0))
                for (i in 0..1) for (j in 0..1) x[i][j].toDouble() shouldBe (1 + 0.75.pow(n) * (start[i][j] - 1) plusOrMinus 1e-5)
                @Suppress("UNCHECKED_CAST") val sumOfK = rawSession.runner().fetch(end[1] as Operand<TInt32>).run().use { (it.get(0) as TInt32).getInt() }
                sumOfK shouldBe n * (n - 1) / 2
            }
        }
    }
})
