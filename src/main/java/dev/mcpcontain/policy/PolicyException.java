package dev.mcpcontain.policy;

/**
 * The request cannot be turned into a policy. Carries the exit code the CLI uses: 125 for anything the launcher
 * refuses, 126 and 127 for a program that is not executable or not found (as a shell would).
 */
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int REFUSED = 125;
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    public PolicyException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static PolicyException refused(String message) {
        return new PolicyException(REFUSED, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
