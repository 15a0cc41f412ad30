package dev.mcpcontain.approval;

/** The approvals file cannot be read or written: one line for the user. */
public final class ApprovalException extends RuntimeException {
    public ApprovalException(String message) {
        super(message);
    }
}
