package dev.mcpcontain.platform.dbus;

/**
 * A D-Bus failure: an error reply ({@link #errorName} is the D-Bus error name, e.g.
 * {@code org.freedesktop.DBus.Error.ServiceUnknown}), or a transport problem ({@link #errorName} is empty).
 */
public final class DBusException extends RuntimeException {

    private final String errorName;

    public DBusException(String errorName, String message) {
        super(message);
        this.errorName = errorName;
    }

    public DBusException(String message, Throwable cause) {
        super(message, cause);
        this.errorName = "";
    }

    public String errorName() {
        return errorName;
    }
}
