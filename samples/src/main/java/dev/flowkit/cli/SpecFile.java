package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The FILE argument every spec-reading command takes (a picocli mixin), and how it is read. */
final class SpecFile {
    @Parameters(paramLabel = "FILE", description = "experiment spec (.json)")
    Path file;

    /** The validated spec, or null after printing why the file is missing or wrong. */
    ExperimentSpec read(Flowkit flowkit) throws IOException {
        return read(flowkit, file);
    }

    /** The validated spec in [file], or null after printing why the file is missing or wrong. */
    static ExperimentSpec read(Flowkit flowkit, Path file) throws IOException {
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
}
