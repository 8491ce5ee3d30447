package dev.flowkit.runtime.serving;

import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.graph.NativeKernels;
import dev.flowkit.runtime.run.Checkpoints;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.Prediction;
import dev.flowkit.spec.SamplerSpec;
import dev.flowkit.spec.SpecNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.types.TFloat32;

/**
 * Writes a trained model as a TensorFlow SavedModel (tag serve) that plain TensorFlow loads without Flowkit: a fresh
 * graph with only the network, the sampler on fed source draws and the velocity field, restored from the checkpoint.
 */
public final class SavedModelExport {
    private SavedModelExport() {}

    public static void write(ExperimentSpec spec, DataDescription data, Components components, SamplerSpec sampler, Path checkpoint, Path dir) {
        if (Files.exists(dir)) {
            throw new IllegalArgumentException("--out: " + dir + " exists; a SavedModel needs a new folder (remove it or choose another)");
        }
        NativeKernels.portable(() -> {
            writeGraph(spec, data, components, sampler, checkpoint, dir);
            return null;
        });
    }

    /** The graph of TensorFlow's own ops (Flowkit's kernels are off on this thread meanwhile). */
    private static void writeGraph(ExperimentSpec spec, DataDescription data, Components components, SamplerSpec sampler, Path checkpoint, Path dir) {
        try (ServingGraph graph = new ServingGraph(spec, data, components, SessionOptions.DEFAULT)) {
            graph.restore(checkpoint);
            boolean labelled = data.classes() > 0;
            FedSampling sampling = graph.sampling(sampler, labelled ? ServingGraph.Kind.GUIDED : ServingGraph.Kind.UNCONDITIONAL);
            Operand<TFloat32> samples = sampling.program().samples().orElseThrow(() -> new IllegalArgumentException(
                    "sample.sampler: " + SpecNames.INSTANCE.of(sampler) + " chooses its steps from the host while it runs, which a SavedModel "
                            + "cannot hold; export with a fixed-step sampler, e.g. --sampler '{\"type\":\"heun\",\"steps\":50}'"));
            Signature.Builder sample = Signature.builder("sample").input("noise", sampling.noise());
            if (labelled) sample.input("labels", sampling.labels()).input("guidance", sampling.guidance());
            if (!sampler.isOde()) sample.input("seed", sampling.seed()); // the sampler's own noise
            sample.output("samples", samples);

            ServingGraph.Field field = graph.fieldPart(Prediction.VELOCITY);
            Signature.Builder velocity = Signature.builder("velocity").input("x", field.x()).input("t", field.t());
            if (labelled) velocity.input("labels", field.labels());
            velocity.output("velocity", field.output());

            Path parent = dir.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempDirectory(parent, "." + dir.getFileName() + "-");
            try {
                Checkpoints.deleteTree(temp); // the exporter creates the folder itself
                SavedModelBundle.exporter(temp.toString()).withSession(graph.session())
                        .withSignature(sample.build()).withSignature(velocity.build()).export();
                Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Checkpoints.deleteTree(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the SavedModel " + dir, e);
        }
    }
}
