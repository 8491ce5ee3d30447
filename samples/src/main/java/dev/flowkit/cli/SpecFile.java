package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.script.ScriptException;
import dev.flowkit.script.ScriptExperiments;
import dev.flowkit.spec.SpecException;
import dev.flowkit.spec.SpecJson;
import java.util.List;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The FILE argument every spec-reading command takes (a picocli mixin), and how it is read. */
final class SpecFile {
    @Parameters(paramLabel = "FILE", description = "experiment: a JSON spec (.json) or a Kotlin script (.flowkit.kts)")
    Path file;

    /** The validated spec, or null after printing why the file is missing or wrong. */
    ExperimentSpec read(Flowkit flowkit) throws IOException {
        return read(flowkit, file);
    }

    /** The validated spec in [file], or null after printing why the file is missing or wrong. */
    static ExperimentSpec read(Flowkit flowkit, Path file) throws IOException {
        if (isScript(file)) {
            List<ExperimentSpec> specs = readAll(flowkit, file);
            if (specs == null) return null;
            if (specs.size() > 1) {
                System.err.println("error: " + file + " evaluates to a list of " + specs.size() + " experiments; run them with ./flowkit sweep " + file);
                return null;
            }
            return specs.get(0);
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            System.err.println("error: no such file: " + file);
            return null;
        }
        try {
            return flowkit.specJson().decode(text);
        } catch (SpecException e) {
            System.err.println("error: " + file + " is not a valid experiment:");
            e.getProblems().forEach(p -> System.err.println("  " + p));
            return null;
        }
    }

    static boolean isScript(Path file) {
        return file.getFileName().toString().endsWith(".kts");
    }

    /**
     * The validated experiments of a Kotlin script (one, or a list), or null after printing why it does not give
     * them: compile errors as FILE:line:column: message, a value that is not an experiment, problems of each spec.
     */
    static List<ExperimentSpec> readAll(Flowkit flowkit, Path file) {
        List<ExperimentSpec> specs;
        try {
            specs = new ScriptExperiments(ScriptExperiments.defaultCacheDir()).evaluate(file);
        } catch (ScriptException e) {
            e.getProblems().forEach(p -> System.err.println(p.startsWith("  ") ? p : "error: " + p));
            return null;
        }
        boolean valid = true;
        for (ExperimentSpec spec : specs) {
            try {
                SpecJson.validate(spec);
            } catch (SpecException e) {
                System.err.println("error: " + file + (specs.size() > 1 ? " (experiment " + spec.getName() + ")" : "") + " is not a valid experiment:");
                e.getProblems().forEach(p -> System.err.println("  " + p));
                valid = false;
            }
        }
        return valid ? specs : null;
    }
}
