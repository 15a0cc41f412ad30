package dev.mcpcontain.manifest;

/** A manifest that cannot be used; the message is one line naming the file, the JSON path and the value. */
public final class ManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }
}
