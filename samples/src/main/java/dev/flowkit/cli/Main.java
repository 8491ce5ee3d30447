package dev.flowkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `flowkit` command line. */
@Command(name = "flowkit", mixinStandardHelpOptions = true, version = "flowkit 0.1.0",
        description = "Flow-matching and diffusion models on the JVM, compiled to TensorFlow graphs.",
        subcommands = {RunCommand.class, SweepCommand.class, SampleCommand.class, ExportCommand.class, PlotPathCommand.class, BenchCommand.class, DataCommand.class, StudyCommand.class, ResampleCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Expected failures (bad spec, diverged training, I/O) get a message, not a stack trace.
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + e.getMessage()));
            if (System.getenv("FLOWKIT_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 1;
        });
    }
}
