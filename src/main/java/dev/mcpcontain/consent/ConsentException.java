package dev.mcpcontain.consent;

/** Consent cannot be established as needed; the launch is refused (exit 125) with what to do. */
public final class ConsentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConsentException(String message) {
        super(message);
    }
}
