package dev.mcpcontain.cli;

import picocli.CommandLine.Option;

/** Accepts -v on every subcommand; the level itself was read from the raw arguments by {@link Logging}. */
public final class VerboseMixin {
    @Option(names = {"-v", "--verbose"}, description = "Say what containment does (-vv: more). Errors show a stack trace.")
    boolean[] verbose = new boolean[0];

    public int level() {
        return verbose.length;
    }
}
