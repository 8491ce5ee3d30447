package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a spec file for a command, printing the problems (and returning null) when it cannot. */
final class SpecFiles {
    private SpecFiles() {}

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
