package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plot-path", mixinStandardHelpOptions = true, description = "Plot an experiment's probability path (conditional and marginal) at several times; no training.")
final class PlotPathCommand implements Callable<Integer> {
    @Mixin
    SpecFile specFile;

    @Option(names = "--out", paramLabel = "PNG", description = "image to write (default: out/<name>/path.png)")
    Path out;

    @Option(names = "--times", split = ",", defaultValue = "0,0.25,0.5,0.75,1", description = "times to show (default: ${DEFAULT-VALUE})")
    double[] times;

    @Option(names = "--count", defaultValue = "1000", description = "points per panel (default: ${DEFAULT-VALUE})")
    int count;

    @Override
    public Integer call() throws Exception {
        Flowkit flowkit = Flowkit.create();
        ExperimentSpec spec = specFile.read(flowkit);
        if (spec == null) return 2;
        for (double t : times) {
            if (!(t >= 0 && t <= 1)) {
                System.err.println("error: --times: every time must be in [0, 1], was " + t);
                return 2;
            }
        }
        if (count < 1 || count > 100_000) {
            System.err.println("error: --count: must be between 1 and 100000, was " + count);
            return 2;
        }
        Path png = out != null ? out : Path.of("out", spec.getName(), "path.png");
        if (png.getParent() != null) Files.createDirectories(png.getParent());
        flowkit.pathFigure().write(spec, png, times, count);
        System.out.println("wrote " + png);
        return 0;
    }
}
