package dev.mcpcontain.cli;

import picocli.CommandLine;

/**
 * picocli's usage errors, made outside {@link Main}. Throwing a picocli exception in {@code Main} itself makes the
 * JVM load picocli's exception classes while it links {@code Main}, on every launch: picocli's classes (compiled
 * for Java 5) cannot be in the class-data archive, so that opens jars the plain {@code run} path otherwise never
 * reads.
 */
final class UsageError {

    private UsageError() {}

    static RuntimeException missingCommand(CommandLine commandLine) {
        return new CommandLine.ParameterException(commandLine, "missing command (run, check, profiles, ...)");
    }
}
