package dev.flowkit.runtime

import dev.flowkit.runtime.metrics.Assignment
import dev.flowkit.runtime.metrics.MeanCovErrorMetric
import dev.flowkit.runtime.metrics.MmdMetric
import dev.flowkit.runtime.metrics.Wasserstein2Metric
import dev.flowkit.spec.Mmd
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.exp
import kotlin.math.sqrt
import kotlin.random.Random

class MetricsSpec : FunSpec({

    fun permutations(n: Int): List<IntArray> =
        if (n == 1) listOf(intArrayOf(0))
        else permutations(n - 1).flatMap { p -> (0..p.size).map { i -> (p.take(i) + (n - 1) + p.drop(i)).toIntArray() } }

    test("the assignment is optimal: equal to brute force over all permutations") {
        val random = Random(1)
        val perms = permutations(7)
        repeat(30) {
            val n = 7
            val cost = DoubleArray(n * n) { random.nextDouble() * (if (it % 3 == 0) 10.0 else 1.0) }
            val match = Assignment.solve(cost, n)
            match.toSet().size shouldBe n
            val found = (0 until n).sumOf { cost[it * n + match[it]] }
            val best = perms.minOf { p -> (0 until n).sumOf { cost[it * n + p[it]] } }
            found shouldBe (best plusOrMinus 1e-12)
        }
    }

    test("W2 between a point cloud and its translate by c is |c| exactly") {
        val random = Random(2)
        val x = Array(800) { floatArrayOf(random.nextFloat() * 4, random.nextFloat() * 2) }
        val y = Array(800) { floatArrayOf(x[it][0] + 0.3f, x[it][1] - 0.4f) }.also { it.shuffle(random) }
        Wasserstein2Metric.distance(x, y) shouldBe (0.5 plusOrMinus 1e-5)
    }

    test("W2 of two samples of N(0, I) and N(m, I) approaches |m| as n grows (and exceeds it)") {
        val random = java.util.Random(3)
        val n = 1500
        val x = Array(n) { floatArrayOf(random.nextGaussian().toFloat(), random.nextGaussian().toFloat()) }
        val y = Array(n) { floatArrayOf(random.nextGaussian().toFloat() + 3f, random.nextGaussian().toFloat()) }
        val w2 = Wasserstein2Metric.distance(x, y)
        (w2 >= 2.95) shouldBe true
        w2 shouldBe (3.0 plusOrMinus 0.3)
    }

    test("unbiased MMD² between two point masses is 2 Σ_h (1 − exp(−d²/2h²))") {
        val a = Array(50) { floatArrayOf(0f, 0f) }
        val b = Array(50) { floatArrayOf(1f, 1f) }
        val bandwidths = listOf(0.5, 2.0)
        val expected = bandwidths.sumOf { h -> 2 * (1 - exp(-2.0 / (2 * h * h))) }
        MmdMetric(Mmd(bandwidths)).compute(a, b)["mmd2"]!! shouldBe (expected plusOrMinus 1e-12)
    }

    test("MMD² of two samples from one distribution is near 0, of different ones clearly positive") {
        val random = java.util.Random(4)
        fun sample(shift: Double) = Array(600) { floatArrayOf((random.nextGaussian() + shift).toFloat(), random.nextGaussian().toFloat()) }
        val metric = MmdMetric(Mmd())
        val same = metric.compute(sample(0.0), sample(0.0))["mmd2"]!!
        val different = metric.compute(sample(0.0), sample(0.5))["mmd2"]!!
        same shouldBe (0.0 plusOrMinus 0.005)
        (different > 10 * kotlin.math.abs(same) && different > 0.01) shouldBe true
    }

    test("mean and covariance errors are the norms of the differences of the sample moments") {
        val x = arrayOf(floatArrayOf(0f, 0f), floatArrayOf(2f, 0f), floatArrayOf(0f, 2f), floatArrayOf(2f, 2f))
        val y = arrayOf(floatArrayOf(1f, 1f), floatArrayOf(1f, 1f), floatArrayOf(1f, 1f), floatArrayOf(4f, 1f))
        // x: mean (1, 1), cov = 4/3 I; y: mean (1.75, 1), cov xx = (3·0.5625 + 5.0625)/3 = 2.25, others 0
        val r = MeanCovErrorMetric().compute(x, y)
        r["meanError"]!! shouldBe (0.75 plusOrMinus 1e-9)
        r["covError"]!! shouldBe (sqrt((4.0 / 3 - 2.25) * (4.0 / 3 - 2.25) + (4.0 / 3) * (4.0 / 3)) plusOrMinus 1e-9)
    }
})
