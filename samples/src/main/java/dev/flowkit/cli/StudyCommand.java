package dev.flowkit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = "A folder of experiments run as a sweep without axes (see sweep), in order of data dimension: results.md and "
                + "results.json with every metric and its noise floor; a published.json in the folder ({\"rows\": [{\"d\": 8, "
                + "\"meanL1Error\": …}, …]}) is shown beside the results of the same data dimension.")
final class StudyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "folder of experiment specs")
    Path folder;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<folder name>-study/)")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "TensorFlow intra-op threads (default: 2); with --master, spark.task.cpus (default 1)")
    Integer threads;

    @Option(names = "--resume", description = "keep experiments already finished with the same spec; continue the others from their checkpoints, if any")
    boolean resume;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(folder)) {
            System.err.println("error: DIR: no such folder: " + folder);
            return 2;
        }
        return SweepCommand.run(folder, out, resume, threads != null || cluster.onSpark() ? threads : Integer.valueOf(2), cluster, "-study");
    }
}
