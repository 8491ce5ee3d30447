package dev.flowkit.runtime.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes and reads float32 matrices in NumPy's .npy format (version 1.0, little-endian, C order). */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {}

    public static void write(Path file, float[][] matrix) throws IOException {
        int rows = matrix.length;
        int cols = rows == 0 ? 0 : matrix[0].length;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        // magic + 2-byte length + header must be a multiple of 64 bytes, the header ending in '\n'.
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + 4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float[] row : matrix) for (float v : row) buffer.putFloat(v);
        Files.write(file, buffer.array());
    }

    public static float[][] read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC) {
            if (buffer.get() != b) throw new IOException(file + ": not a version 1.0 .npy file");
        }
        int length = Short.toUnsignedInt(buffer.getShort());
        byte[] headerBytes = new byte[length];
        buffer.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.US_ASCII);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(file + ": expected a C-order float32 array, header was " + header.trim());
        }
        String shape = header.substring(header.indexOf('(') + 1, header.indexOf(')'));
        String[] dims = shape.split(",");
        int rows = Integer.parseInt(dims[0].trim());
        int cols = dims.length > 1 && !dims[1].isBlank() ? Integer.parseInt(dims[1].trim()) : 1;
        float[][] out = new float[rows][cols];
        for (float[] row : out) for (int j = 0; j < cols; j++) row[j] = buffer.getFloat();
        return out;
    }
}
