package dev.mcpcontain.launch;

/**
 * Containment could not be set up as the policy asks. Always fatal: the launcher exits 125 and the server is
 * never started (or is killed before it runs a single instruction of its own).
 */
public final class ContainmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why; the list only grows, so scripts and tests can rely on the names. */
    public enum Reason {
        /** The host lacks a feature the policy requires (user namespaces, Landlock ABI, cgroups, ...). */
        UNENFORCEABLE,
        /** The native helper is missing, not executable or not trustworthy. */
        HELPER_MISSING,
        /** A step of the launch failed (a system call, a file the launcher needs). */
        LAUNCH_FAILED,
        /** The started process is not what the policy asked for (Windows verify-before-resume). */
        VERIFICATION_FAILED,
        /** This platform has no backend. */
        UNSUPPORTED_PLATFORM
    }

    private final Reason reason;

    public ContainmentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ContainmentException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
