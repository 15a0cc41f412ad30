package dev.mcpcontain.profile;

/** A profile that cannot be used; the message names the file, the field and the line where known. */
public final class ProfileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
