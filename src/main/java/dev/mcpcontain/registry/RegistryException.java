package dev.mcpcontain.registry;

/** A registry operation or a registered run refused; one line naming the server, file or field. Exit 125. */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
