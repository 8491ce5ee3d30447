package dev.flowkit.cli;

import dev.flowkit.runtime.TrainedModel;
import dev.flowkit.spec.SpecNames;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a trained model as a TensorFlow SavedModel (tag serve) with signatures `sample` (noise -> samples, by a "
                + "fixed-step sampler) and `velocity` (x, t -> velocity); labelled models also take labels (and guidance).")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    TrainedRun run;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "a new folder for the SavedModel")
    Path out;

    @Override
    public Integer call() {
        try (TrainedRun.Loaded loaded = run.load()) {
            TrainedModel model = loaded.model();
            model.exportSavedModel(out);
            boolean labelled = model.classes() > 0;
            System.out.println("SavedModel of " + model.spec().getName() + " (step " + model.step() + ") in " + out);
            System.out.println("  sample:   noise float32 [n, " + model.dim() + "]" + (labelled ? ", labels int32 [n], guidance float32 []" : "")
                    + (model.sampler().isOde() ? "" : ", seed int64 []") + " -> samples float32 [n, " + model.dim() + "]  ("
                    + SpecNames.INSTANCE.of(model.sampler()) + ")");
            System.out.println("  velocity: x float32 [n, " + model.dim() + "], t float32 [n]" + (labelled ? ", labels int32 [n]" : "")
                    + " -> velocity float32 [n, " + model.dim() + "]");
            return 0;
        }
    }
}
