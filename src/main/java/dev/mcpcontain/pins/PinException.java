package dev.mcpcontain.pins;

/** A pin file that cannot be used, or a pin operation that cannot be done; the message says how to fix it. */
public final class PinException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PinException(String message) {
        super(message);
    }

    public PinException(String message, Throwable cause) {
        super(message, cause);
    }
}
