package dev.flowkit.spark

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import java.util.Random

/** Merged moments against the two-pass mean and covariance of the whole set, in any split and order. */
class MomentsSpec : FunSpec({
    fun rows(n: Int, d: Int, seed: Long): Array<FloatArray> {
        val r = Random(seed)
        return Array(n) { FloatArray(d) { k -> (1000 + 3 * k + r.nextGaussian() * (k + 1)).toFloat() } } // a large offset: raw sums would cancel
    }

    test("three unequal parts merged in a tree equal the whole, mean and covariance; a high dimension keeps the diagonal") {
        for (d in listOf(3, Moments.FULL_LIMIT + 1)) {
            val all = rows(5000, d, 7)
            val parts = listOf(all.copyOfRange(0, 10), all.copyOfRange(10, 3100), all.copyOfRange(3100, 5000)).map { Moments.of(it, d) }
            val merged = parts[2].merge(parts[0]).merge(Moments(d)).merge(parts[1])
            merged.count() shouldBe 5000L
            val mean = DoubleArray(d) { k -> all.sumOf { it[k].toDouble() } / all.size }
            for (k in 0 until d) {
                merged.mean()[k] shouldBe (mean[k] plusOrMinus 1e-9)
                val v = all.sumOf { (it[k] - mean[k]) * (it[k] - mean[k]) } / (all.size - 1)
                merged.variance()[k] shouldBe (v plusOrMinus 1e-9 * v)
            }
            if (d <= Moments.FULL_LIMIT) {
                val c01 = all.sumOf { (it[0] - mean[0]) * (it[1] - mean[1]) } / (all.size - 1)
                merged.covariance()!![0][1] shouldBe (c01 plusOrMinus 1e-9)
                merged.covariance()!![1][0] shouldBe (c01 plusOrMinus 1e-9)
            } else {
                merged.covariance() shouldBe null
            }
        }
    }
})
