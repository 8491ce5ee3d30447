package dev.flowkit.runtime

import dev.flowkit.runtime.graph.RandomKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.sqrt

/** Components draw from derived keys; no two derivation chains may share a stream. */
class RandomKeySpec : FunSpec({
    test("derivation is ordered: derive(a).derive(b) ≠ derive(b).derive(a), and all chains differ") {
        graph {
            val root = RandomKey.of(tf, 7, 0)
            val chains = mutableListOf<RandomKey>()
            for (a in 1L..6) {
                chains += root.derive(a)
                for (b in 1L..6) chains += root.derive(a).derive(b)
            }
            val values = chains.map { key ->
                rawSession.runner().fetch(key.operand(tf)).run().use { r ->
                    val t = r.get(0) as org.tensorflow.types.TInt64
                    t.getLong(0) to t.getLong(1)
                }
            }
            values.toSet().size shouldBe values.size
        }
    }

    test("Box–Muller normals have the standard normal law, come in the shape asked for and are a function of the key") {
        graph {
            val key = RandomKey.of(tf, 3, 5)
            val shape = tf.constant(intArrayOf(999, 201)) // an odd number of values: the last pair is cut
            val z = key.normalByBoxMuller(tf, shape, 4)
            z.shape().asArray().toList() shouldBe listOf(999L, 201L)
            val v = flat(z).map(Float::toDouble)
            val n = v.size.toDouble()
            v.size shouldBe 999 * 201
            val mean = v.average()
            val variance = v.sumOf { (it - mean) * (it - mean) } / n
            val kurtosis = v.sumOf { Math.pow(it - mean, 4.0) } / n / (variance * variance)
            mean shouldBe (0.0 plusOrMinus 4 / sqrt(n))
            variance shouldBe (1.0 plusOrMinus 4 * sqrt(2 / n))
            kurtosis shouldBe (3.0 plusOrMinus 4 * sqrt(24 / n))
            v.count { Math.abs(it) > 2 } / n shouldBe (0.04550 plusOrMinus 4 * sqrt(0.0455 * 0.9545 / n))
            v.count { it > 0 } / n shouldBe (0.5 plusOrMinus 4 * sqrt(0.25 / n))
            // r cos θ and r sin θ of one pair (row values j and j + 101 of a row of 201) are uncorrelated
            val cosines = (0 until 999).flatMap { i -> (0 until 100).map { j -> v[i * 201 + j] } }
            val sines = (0 until 999).flatMap { i -> (0 until 100).map { j -> v[i * 201 + j + 101] } }
            correlation(cosines, sines) shouldBe (0.0 plusOrMinus 4.5 / sqrt(99_900.0))
            flat(key.normalByBoxMuller(tf, shape, 4)).map(Float::toDouble) shouldBe v
            (flat(key.normalByBoxMuller(tf, shape, 5)).map(Float::toDouble) == v) shouldBe false
        }
    }

    test("draws from sibling and nested streams are uncorrelated") {
        graph {
            val root = RandomKey.of(tf, 7, 0)
            val shape = tf.constant(intArrayOf(50_000))
            val streams = listOf(root.derive(1).derive(2), root.derive(2).derive(1), root.derive(3), root.derive(1).derive(1))
            val draws = streams.map { flat(it.uniform(tf, shape, 1)).map(Float::toDouble) }
            for (i in draws.indices) for (j in i + 1 until draws.size) {
                correlation(draws[i], draws[j]) shouldBe (0.0 plusOrMinus 4.5 / sqrt(50_000.0))
            }
        }
    }
})

private fun correlation(a: List<Double>, b: List<Double>): Double {
    val ma = a.average()
    val mb = b.average()
    var sab = 0.0
    var saa = 0.0
    var sbb = 0.0
    for (i in a.indices) {
        sab += (a[i] - ma) * (b[i] - mb)
        saa += (a[i] - ma) * (a[i] - ma)
        sbb += (b[i] - mb) * (b[i] - mb)
    }
    return sab / sqrt(saa * sbb)
}
