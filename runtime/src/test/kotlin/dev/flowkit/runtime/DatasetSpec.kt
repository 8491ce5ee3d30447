package dev.flowkit.runtime

import dev.flowkit.runtime.compiler.RandomDraw
import dev.flowkit.runtime.distributions.DatasetDistribution
import dev.flowkit.runtime.distributions.FiniteSample
import dev.flowkit.spec.Dataset
import dev.flowkit.spec.Quantization
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import dev.flowkit.runtime.output.Npy
import java.nio.file.Files
import java.nio.file.Path
import kotlin.math.ln

/** Writes [values] (row-major) as a .npy file of [shape]: unsigned bytes ('|u1') or float32 rows ('<f4'). */
fun writeNpy(file: Path, dtype: String, shape: List<Int>, values: DoubleArray): Path {
    if (dtype == "|u1") {
        Npy.writeBytes(file, shape.toIntArray(), ByteArray(values.size) { values[it].toInt().toByte() })
    } else {
        val cols = values.size / shape[0]
        Npy.write(file, Array(shape[0]) { r -> FloatArray(cols) { values[r * cols + it].toFloat() } })
    }
    return file
}

/** Finite samples: the held-out split, draws with and without replacement, and uniform dequantization of levels. */
class DatasetSpec : FunSpec({
    val dir = Files.createTempDirectory("flowkit-dataset")

    fun draws(data: FiniteSample, n: Int, heldOut: Boolean, seed: Long = 3): Array<FloatArray> = graph {
        val draw = RandomDraw(tf)
        val op = if (heldOut) data.sampleHeldOut(tf, draw.count(), draw.key()) else data.sample(tf, draw.count(), draw.key())
        draw.run(rawSession, n, seed, 0, listOf(op)).use { dev.flowkit.runtime.graph.Tensors.toMatrix(it.get(0)) }
    }

    test("held-out rows are drawn without replacement and never appear in training draws") {
        // row i holds (i, -i): identities survive the split
        val n = 50
        val file = writeNpy(dir.resolve("ids.npy"), "<f4", listOf(n, 2), DoubleArray(2 * n) { if (it % 2 == 0) (it / 2).toDouble() else -(it / 2).toDouble() })
        val data = DatasetDistribution(Dataset(file.toString(), heldOut = 0.2))
        data.dim() shouldBe 2
        data.heldOutRows() shouldBe 10
        data.trainingRows() shouldBe 40
        val heldOut = draws(data, 10, heldOut = true).map { it[0].toInt() }
        heldOut.toSet().size shouldBe 10 // all ten, each once
        draws(data, 10, heldOut = true, seed = 4).map { it[0].toInt() } shouldContainExactlyInAnyOrder heldOut
        val training = draws(data, 2000, heldOut = false)
        training.forEach { it[1] shouldBe -it[0] }
        val seen = training.map { it[0].toInt() }.toSet()
        seen.intersect(heldOut.toSet()) shouldBe emptySet()
        seen.size shouldBe 40 // with replacement over all training rows: 2000 draws reach each of the 40
    }

    test("image-shaped 8-bit levels are flattened and dequantized uniformly within their bin") {
        // shape [rows, 2, 2, 1]; every pixel of every row is level 100 but the last pixel, level 255
        val rows = 40
        val values = DoubleArray(rows * 4) { if (it % 4 == 3) 255.0 else 100.0 }
        val file = writeNpy(dir.resolve("pixels.npy"), "|u1", listOf(rows, 2, 2, 1), values)
        val data = DatasetDistribution(Dataset(file.toString(), quantization = Quantization(bits = 8, low = -1.0, high = 1.0)))
        data.dim() shouldBe 4
        data.bitsPerDimOffset() shouldBe (7.0 plusOrMinus 1e-12) // 8 bits − log2(2)
        val x = draws(data, 4000, heldOut = false)
        val width = 2.0 / 256
        for (column in listOf(0, 3)) {
            val level = if (column == 3) 255 else 100
            val low = -1 + level * width
            val v = x.map { it[column].toDouble() }
            v.forEach { check(it >= low - 1e-6 && it <= low + width + 1e-6) { "$it outside [$low, ${low + width}]" } }
            v.average() shouldBe (low + width / 2 plusOrMinus width * 0.02)
            val variance = v.sumOf { (it - v.average()) * (it - v.average()) } / v.size
            variance shouldBe (width * width / 12 plusOrMinus width * width / 12 * 0.1)
        }
        // [0, 1] pixels: offset 8 bits
        DatasetDistribution(Dataset(file.toString(), quantization = Quantization(8, 0.0, 1.0))).bitsPerDimOffset() shouldBe (8.0 plusOrMinus 1e-12)
        Quantization(5, 0.0, 4.0).bitsPerDimOffset shouldBe (5 - ln(4.0) / ln(2.0) plusOrMinus 1e-12)
    }

    test("levels outside the declared bits are rejected, naming the file and the row") {
        val file = writeNpy(dir.resolve("bad.npy"), "|u1", listOf(4, 2), doubleArrayOf(0.0, 1.0, 2.0, 3.0, 4.0, 200.0, 6.0, 7.0))
        val e = shouldThrow<IllegalArgumentException> { DatasetDistribution(Dataset(file.toString(), heldOut = 0.25, quantization = Quantization(bits = 4))) }
        e.message shouldContain "bad.npy"
        e.message shouldContain "row 2 holds 200"
        e.message shouldContain "0 … 15"
    }
})
