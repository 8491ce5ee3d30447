package dev.flowkit.runtime

import dev.flowkit.dsl.PotentialScope
import dev.flowkit.runtime.potentials.Potential
import dev.flowkit.spec.ExprSpec
import dev.flowkit.spec.Phi4Chain
import dev.flowkit.spec.Quadratic
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs

/**
 * The gradient differentiated from the expression tree (ExpressionGradient) against TensorFlow's gradient of the same
 * energy graph — the straightforward version it replaces — for every kind of expression node and broadcast, and the
 * scaled terms (what a Langevin step adds in one op) against the scaled gradient.
 */
class ExpressionGradientSpec : FunSpec({
    val d = 5
    val m = listOf(listOf(1.0, -0.5, 0.0, 2.0, 0.3), listOf(0.2, 0.0, 1.5, -1.0, 0.7)) // 2 × 5: not square
    val w = listOf(0.5, -1.0, 2.0, 0.25, 1.5)
    val expressions: List<Pair<String, PotentialScope.() -> ExprSpec>> = listOf(
        "wells and springs (φ⁴)" to { 2.0 * sum(square(differences(x, 0.4) / 0.2)) + 0.7 * sum(square(1.0 - square(x))) },
        "quotient of vectors, vector constant" to { sum(x / (1.0 + square(x)) * vector(w)) },
        "scalar times vector (broadcast both ways)" to { sum(x * sum(square(x))) + sum(x) * sum(pow(x, 3.0)) / 3.0 },
        "negative and fractional powers" to { sum(pow(x, -2.0)) + sum(pow(x, 2.5)) - sum(pow(square(x) + 1.0, 0.5)) },
        "a constant over a scalar of x" to { 3.0 / sum(square(x)) + sum(square(x)) / sum(x) },
        "non-square matmul, full and summed" to { sum(square(matmul(m, x) - 1.0)) + sum(matmul(m, x)) * 0.5 },
        "linear: a constant gradient" to { sum(x * vector(w)) - 2.0 * sum(x) },
        "differences only summed: no gradient but the boundary's" to { sum(differences(x, 1.5)) + sum(x - x) },
        "no x at all" to { constant(3.0) + sum(vector(w)) },
    )
    val random = Random(5)
    // in (0.5, 2): away from the poles of the negative powers and inside the fractional ones' domain
    val points = Array(7) { FloatArray(d) { (0.5 + 1.5 * random.nextDouble()).toFloat() } }

    fun compare(potential: Potential, dim: Int, x: Array<FloatArray>) = graph {
        val at = constant(x)
        // plus 0 · Σx: TensorFlow has no gradient (not zeros) for an energy without x
        val total = tf.math.add(tf.reduceSum(potential.energy(tf, at), tf.constant(intArrayOf(0, 1))),
            tf.math.mul(tf.constant(0f), tf.reduceSum(at, tf.constant(intArrayOf(0, 1)))))
        val autodiff = matrix(tf.gradients(total, listOf(at)).dy<TFloat32>(0))
        val mine = matrix(potential.gradient(tf, at))
        val scaled = matrix(Potential.sum(tf, potential.gradientTerms(tf, at, -0.3)))
        for (n in x.indices) for (j in 0 until dim) {
            val expected = autodiff[n][j].toDouble()
            mine[n][j].toDouble() shouldBe (expected plusOrMinus 1e-5 * (1 + abs(expected)))
            scaled[n][j].toDouble() shouldBe (-0.3 * expected plusOrMinus 1e-5 * (1 + abs(expected)))
        }
    }

    context("the expression's own gradient equals TensorFlow's, scaled terms included") {
        withData(nameFn = { it.first }, expressions) { (_, energy) -> compare(Potential(d, PotentialScope().energy()), d, points) }
    }

    test("built-in potentials with a quadratic part: A x plus the mild part's gradient, and the mild part alone") {
        val phi4 = Phi4Chain(6, 0.05, boundary = 0.3)
        val quadratic = Quadratic(listOf(listOf(2.0, 0.6), listOf(0.6, 1.0)), listOf(1.0, -2.0))
        for ((spec, dim) in listOf(phi4 to 6, quadratic to 2)) {
            val x = Array(4) { FloatArray(dim) { random.nextGaussian().toFloat() } }
            compare(Potential(spec), dim, x)
            graph {
                val at = constant(x)
                val full = matrix(Potential(spec).gradient(tf, at))
                val mild = matrix(Potential.sum(tf, Potential(spec).mildGradientTerms(tf, at, 2.0)))
                val a = spec.quadraticPart()!!
                for (n in x.indices) for (j in 0 until dim) {
                    val ax = (0 until dim).sumOf { k -> a[j][k] * x[n][k] }
                    mild[n][j].toDouble() shouldBe (2 * (full[n][j] - ax) plusOrMinus 1e-3 * (1 + abs(ax)))
                }
            }
        }
    }
})
