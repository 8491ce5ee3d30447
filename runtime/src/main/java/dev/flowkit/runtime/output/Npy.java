package dev.flowkit.runtime.output;

import dev.flowkit.spec.NpyHeader;
import dev.flowkit.spec.NpyShards;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes float32 matrices and int32 vectors in NumPy's .npy format (version 1.0, little-endian, C order); reads any array Flowkit supports as rows. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {}

    /** An array read as float32 rows: [rows × rowSize] values, row-major, in the file's shape [rows, …]. */
    public record Rows(float[] values, int rows, int rowSize) {
        public float get(int row, int column) {
            return values[row * rowSize + column];
        }
    }

    public static void write(Path file, float[][] matrix) throws IOException {
        int rows = matrix.length;
        int cols = rows == 0 ? 0 : matrix[0].length;
        ByteBuffer buffer = withHeader("<f4", new int[] {rows, cols}, 4L * rows * cols);
        for (float[] row : matrix) for (float v : row) buffer.putFloat(v);
        Files.write(file, buffer.array());
    }

    /** A vector of int32 (e.g. class labels), shape [n]. */
    public static void write(Path file, int[] vector) throws IOException {
        ByteBuffer buffer = withHeader("<i4", new int[] {vector.length}, 4L * vector.length);
        for (int v : vector) buffer.putInt(v);
        Files.write(file, buffer.array());
    }

    /** Unsigned bytes (e.g. 8-bit pixels) of any [shape], row-major. */
    public static void writeBytes(Path file, int[] shape, byte[] values) throws IOException {
        Files.write(file, withHeader("|u1", shape, values.length).put(values).array());
    }

    /** A buffer holding the header of an array of [dtype] and [shape], with room for [dataBytes] after it. */
    private static ByteBuffer withHeader(String dtype, int[] shape, long dataBytes) {
        String dims = java.util.Arrays.stream(shape).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? ",)" : ")") + ", }";
        // magic + 2-byte length + header must be a multiple of 64 bytes, the header ending in '\n'.
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 2 + header.length() + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        return buffer.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
    }

    /** A 2D array as a matrix. */
    public static float[][] read(Path file) throws IOException {
        Rows rows = readRows(file);
        float[][] out = new float[rows.rows()][rows.rowSize()];
        for (int i = 0; i < out.length; i++) System.arraycopy(rows.values(), i * rows.rowSize(), out[i], 0, rows.rowSize());
        return out;
    }

    /** The shards a manifest names, in order, as one array of rows. */
    private static Rows readShards(Path manifest) throws IOException {
        NpyShards shards;
        try {
            shards = NpyShards.read(manifest);
        } catch (IOException e) {
            throw new IOException(manifest + ": " + e.getMessage(), e);
        }
        long count = shards.getHeader().getRows() * shards.getHeader().getRowSize();
        if (count > Integer.MAX_VALUE) throw new IOException(manifest + ": " + count + " values are more than one array can hold");
        float[] values = new float[(int) count];
        int at = 0;
        for (Path file : shards.files(manifest.toAbsolutePath().getParent())) {
            float[] part = readRows(file).values();
            System.arraycopy(part, 0, values, at, part.length);
            at += part.length;
        }
        return new Rows(values, (int) shards.getHeader().getRows(), (int) shards.getHeader().getRowSize());
    }

    /** Any array of a supported element type (see {@link NpyHeader#getSUPPORTED()}), each row flattened, as float32. */
    public static Rows readRows(Path file) throws IOException {
        if (NpyShards.isManifest(file)) return readShards(file);
        NpyHeader header;
        try {
            header = NpyHeader.read(file);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        long count = header.getRows() * header.getRowSize();
        if (count > Integer.MAX_VALUE) throw new IOException(file + ": " + count + " values are more than one array can hold");
        int n = (int) count;
        ByteBuffer buffer = ByteBuffer.allocate(n * header.getItemSize()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(header.getDataOffset());
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) throw new IOException(file + ": ends before its " + n + " values");
            }
        }
        buffer.flip();
        float[] values = new float[n];
        switch (header.getDtype()) {
            case "<f4" -> buffer.asFloatBuffer().get(values);
            case "<f8" -> { for (int i = 0; i < n; i++) values[i] = (float) buffer.getDouble(); }
            case "|u1" -> { for (int i = 0; i < n; i++) values[i] = Byte.toUnsignedInt(buffer.get()); }
            case "|i1" -> { for (int i = 0; i < n; i++) values[i] = buffer.get(); }
            case "<u2" -> { for (int i = 0; i < n; i++) values[i] = Short.toUnsignedInt(buffer.getShort()); }
            case "<i2" -> { for (int i = 0; i < n; i++) values[i] = buffer.getShort(); }
            case "<i4" -> { for (int i = 0; i < n; i++) values[i] = buffer.getInt(); }
            case "<i8" -> { for (int i = 0; i < n; i++) values[i] = buffer.getLong(); }
            default -> throw new IOException(file + ": element type " + header.getDtype() + " is not supported");
        }
        return new Rows(values, (int) header.getRows(), (int) header.getRowSize());
    }
}
