package dev.mcpcontain.cli;

/**
 * Exit codes of the launcher itself. A contained server's own code passes through unchanged, so the launcher
 * keeps to the codes a shell and Docker use for "not the program's fault".
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** Bad input, or containment cannot be set up as asked. */
    public static final int REFUSED = 125;
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    private ExitCodes() {}
}
