package dev.flowkit.runtime.graph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

/**
 * Flowkit's own CPU kernels (runtime/src/main/c, built by Maven into the jar when a C compiler is present), loaded into
 * TensorFlow once per process. Each is a faster way to the numbers a composition of TensorFlow ops gives, and every
 * caller keeps that composition for when the kernels are absent: no library in the jar (not built, or not x86-64
 * Linux), a CPU without AVX2/FMA, the `gpu` profile (FLOWKIT_GPU=1: the kernels are CPU-only), or FLOWKIT_NATIVE=0.
 * {@link #status()} says which.
 */
public final class NativeKernels {
    private NativeKernels() {}

    /** Box–Muller normals of Philox uniforms in one pass (see {@link RandomKey#normalByBoxMuller}). */
    public static final String BOX_MULLER_NORMAL = "FlowkitBoxMullerNormal";
    /** x A for a fixed matrix A with few nonzero diagonals (see {@link ConstantMatMul}). */
    public static final String BANDED_MATMUL = "FlowkitBandedMatMul";
    /** act(GroupNorm(x + shift)) of NHWC images, and its gradient (see networks.unet.GroupNorm). */
    public static final String GROUP_NORM = "FlowkitGroupNorm";
    public static final String GROUP_NORM_GRAD = "FlowkitGroupNormGrad";
    /** act(x W + b), act SiLU or none: an MLP's layer (see networks.FusedDense). */
    public static final String DENSE = "FlowkitDense";
    /** Every gradient of that layer in one kernel: dx, dW and db (see networks.FusedDense). */
    public static final String DENSE_GRAD = "FlowkitDenseGrad";
    /** A 3×3 convolution or its transposed as one product over gathered rows (see networks.unet.ConvKernel). */
    public static final String CONV = "FlowkitConv2D";
    /** dy silu'(z) in one pass, the dense kernel's gradient (see networks.FusedDense). */
    public static final String SILU_GRAD = "FlowkitSiluGrad";

    private static final String RESOURCE = "/native/linux-x86_64/libflowkit_kernels.so";
    /** The ops the library registered (none when it is not used). */
    private static final Set<String> OPS = new HashSet<>();
    private static final String STATUS = load();

    /** Graphs being built on this thread for TensorFlow without Flowkit (see {@link #portable}). */
    private static final ThreadLocal<Boolean> PORTABLE = ThreadLocal.withInitial(() -> false);

    /** Whether the native library registered the op [name] with TensorFlow, and graphs built now may use it. */
    public static boolean has(String name) {
        return loaded(name) && !PORTABLE.get();
    }

    /** Whether the native library registered the op [name] with TensorFlow (for set-up once per process, such as gradients). */
    public static boolean loaded(String name) {
        return OPS.contains(name);
    }

    /**
     * Runs [build] with the native kernels off on this thread, so that the graph it builds holds TensorFlow's own ops
     * only (a SavedModel that plain TensorFlow loads), with the same numbers.
     */
    public static <T> T portable(java.util.function.Supplier<T> build) {
        boolean outer = PORTABLE.get();
        PORTABLE.set(true);
        try {
            return build.get();
        } finally {
            PORTABLE.set(outer);
        }
    }

    /** "loaded", or why the native kernels are not used. */
    public static String status() {
        return STATUS;
    }

    private static String load() {
        if ("0".equals(System.getenv("FLOWKIT_NATIVE"))) return "off (FLOWKIT_NATIVE=0)";
        if ("1".equals(System.getenv("FLOWKIT_GPU"))) return "off (FLOWKIT_GPU=1: the native kernels are CPU-only)";
        if (!System.getProperty("os.name", "").startsWith("Linux") || !System.getProperty("os.arch", "").equals("amd64"))
            return "absent (built for x86-64 Linux only)";
        try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return "absent (not built: no C compiler when Flowkit was built)";
            Path file = Files.createTempFile("flowkit-kernels", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            OpList ops = TensorFlow.loadLibrary(file.toString());
            for (OpDef op : ops.getOpList()) OPS.add(op.getName());
            return OPS.isEmpty() ? "absent (the CPU lacks AVX2 or FMA)" : "loaded";
        } catch (IOException | RuntimeException | LinkageError e) {
            String reason = "failed to load (" + e.getMessage() + ")";
            System.err.println("flowkit: native kernels " + reason + "; using TensorFlow's ops instead");
            return reason;
        }
    }
}
