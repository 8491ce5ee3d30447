package dev.flowkit.runtime

import dev.flowkit.runtime.output.Npy
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files

class NpySpec : FunSpec({
    test("writes NumPy 1.0 format: magic, 64-byte aligned header, little-endian float32 rows") {
        val file = tempdir().toPath().resolve("x.npy")
        val m = arrayOf(floatArrayOf(1f, -2.5f, 3f), floatArrayOf(0.125f, 1e-8f, Float.MAX_VALUE))
        Npy.write(file, m)
        val bytes = Files.readAllBytes(file)
        bytes.copyOfRange(0, 8).toList() shouldBe listOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(),
            'P'.code.toByte(), 'Y'.code.toByte(), 1, 0)
        val headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).short.toInt()
        (10 + headerLength) % 64 shouldBe 0
        val header = String(bytes, 10, headerLength, Charsets.US_ASCII)
        header.trimEnd() shouldBe "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        header.last() shouldBe '\n'
        bytes.size shouldBe 10 + headerLength + 2 * 3 * 4
        val data = ByteBuffer.wrap(bytes, 10 + headerLength, 24).order(ByteOrder.LITTLE_ENDIAN)
        FloatArray(6) { data.float }.toList() shouldBe m.flatMap { it.toList() }
        Npy.read(file).map { it.toList() } shouldBe m.map { it.toList() }
    }

    test("8-bit image arrays: header with the full shape, bytes as stored, read back as flattened rows") {
        val file = tempdir().toPath().resolve("pixels.npy")
        val values = ByteArray(3 * 2 * 2 * 1) { (it * 20).toByte() } // 0 … 220, above 127 as unsigned
        Npy.writeBytes(file, intArrayOf(3, 2, 2, 1), values)
        val bytes = Files.readAllBytes(file)
        val headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).short.toInt()
        String(bytes, 10, headerLength, Charsets.US_ASCII).trimEnd() shouldBe "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2, 1), }"
        val rows = Npy.readRows(file)
        rows.rows() shouldBe 3
        rows.rowSize() shouldBe 4
        rows.values().toList() shouldBe List(12) { it * 20f }
        Npy.writeBytes(file, intArrayOf(5), ByteArray(5))
        String(Files.readAllBytes(file), 10, 60, Charsets.US_ASCII) shouldContain "'shape': (5,)"
    }

    test("int32 label vectors: header and values as NumPy writes them, read back by the spec's label reader") {
        val file = tempdir().toPath().resolve("labels.npy")
        val labels = intArrayOf(3, 0, 9, 70000, -2)
        Npy.write(file, labels)
        val bytes = Files.readAllBytes(file)
        val headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).short.toInt()
        String(bytes, 10, headerLength, Charsets.US_ASCII).trimEnd() shouldBe "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }"
        (10 + headerLength) % 64 shouldBe 0
        dev.flowkit.spec.NpyHeader.readIntegers(file).toList() shouldBe listOf(3L, 0L, 9L, 70000L, -2L)
    }
})
