package dev.flowkit.spec

import java.io.DataInputStream
import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path

/**
 * The header of a NumPy `.npy` file (versions 1–3): element type, shape and where the data starts. Specs read only
 * this (a data file's shape gives the data's dimension); the runtime reads the values.
 */
data class NpyHeader(val dtype: String, val shape: List<Long>, val dataOffset: Long) {
    /** Rows: the first axis (1 for a 0-d array). */
    val rows: Long get() = shape.firstOrNull() ?: 1L

    /** Values per row: the product of the other axes. */
    val rowSize: Long get() = shape.drop(1).fold(1L) { a, b -> a * b }

    /** Bytes per value. */
    val itemSize: Int get() = dtype.drop(2).toInt()

    /** Whether the values are integers (signed or unsigned). */
    val isInteger: Boolean get() = dtype[1] == 'i' || dtype[1] == 'u'

    companion object {
        /** The values of an integer-typed .npy file, in order (e.g. class labels); IOException for other types. */
        @JvmStatic
        @Throws(IOException::class)
        fun readIntegers(file: Path): LongArray {
            if (NpyShards.isManifest(file)) {
                val dir = file.toAbsolutePath().parent
                return NpyShards.read(file).files(dir).map { readIntegers(it) }.reduce { a, b -> a + b }
            }
            val header = read(file)
            if (!header.isInteger) throw IOException("holds ${header.dtype} values; labels must be integers")
            val count = header.rows * header.rowSize
            if (count > 100_000_000) throw IOException("holds $count values, too many for labels")
            val bytes = Files.readAllBytes(file)
            val data = java.nio.ByteBuffer.wrap(bytes, header.dataOffset.toInt(), bytes.size - header.dataOffset.toInt())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            if (data.remaining() < count * header.itemSize) throw IOException("ends before its $count values")
            return LongArray(count.toInt()) {
                when (header.dtype) {
                    "|u1" -> (data.get().toInt() and 0xff).toLong()
                    "|i1" -> data.get().toLong()
                    "<u2" -> (data.getShort().toInt() and 0xffff).toLong()
                    "<i2" -> data.getShort().toLong()
                    "<i4" -> data.getInt().toLong()
                    else -> data.getLong()
                }
            }
        }

        /** The element types Flowkit reads: little-endian float32/64, signed and unsigned 8–64-bit integers. */
        val SUPPORTED = listOf("<f4", "<f8", "|u1", "|i1", "<u2", "<i2", "<i4", "<i8")

        /**
         * Reads the header of [file] (for a shard manifest, see [NpyShards], that of the whole array); IOException with
         * the reason when it is not an .npy file Flowkit can read.
         */
        @JvmStatic
        @Throws(IOException::class)
        fun read(file: Path): NpyHeader {
            if (NpyShards.isManifest(file)) return NpyShards.read(file).header
            DataInputStream(Files.newInputStream(file).buffered()).use { input ->
                val magic = ByteArray(6).also { input.readFully(it) }
                if (!magic.contentEquals(byteArrayOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(), 'P'.code.toByte(), 'Y'.code.toByte()))) {
                    throw IOException("not a NumPy .npy file (bad magic bytes)")
                }
                val major = input.readUnsignedByte()
                input.readUnsignedByte()
                val length = when (major) {
                    1 -> input.readUnsignedByte() or (input.readUnsignedByte() shl 8)
                    2, 3 -> (0 until 4).fold(0) { acc, i -> acc or (input.readUnsignedByte() shl (8 * i)) }
                    else -> throw IOException("unsupported .npy version $major")
                }
                val text = ByteArray(length).also { input.readFully(it) }.toString(Charsets.ISO_8859_1)
                val dtype = Regex("'descr'\\s*:\\s*'([^']*)'").find(text)?.groupValues?.get(1)
                    ?: throw IOException("no 'descr' in the header")
                val normalized = if (dtype.length == 3 && dtype[2] == '1') "|" + dtype.drop(1) else dtype
                if (normalized !in SUPPORTED) {
                    throw IOException("element type '$dtype' is not supported; use one of ${SUPPORTED.joinToString()}")
                }
                if (Regex("'fortran_order'\\s*:\\s*True").containsMatchIn(text)) {
                    throw IOException("Fortran-order arrays are not supported; save the array in C order")
                }
                val shapeText = Regex("'shape'\\s*:\\s*\\(([^)]*)\\)").find(text)?.groupValues?.get(1)
                    ?: throw IOException("no 'shape' in the header")
                val shape = shapeText.split(',').map { it.trim() }.filter { it.isNotEmpty() }.map { it.removeSuffix("L").toLong() }
                val prefix = 6 + 2 + (if (major == 1) 2 else 4)
                return NpyHeader(normalized, shape, (prefix + length).toLong())
            }
        }
    }
}
