package dev.mcpcontain.platform.dbus;

/** A D-Bus object path ({@code o}): a distinct type so that marshalling knows a path from a string. */
public record ObjectPath(String value) {

    /** The path Secret Service calls return for "no prompt needed" and "no such object". */
    public static final ObjectPath ROOT = new ObjectPath("/");

    public ObjectPath {
        if (value == null || !value.startsWith("/")) {
            throw new IllegalArgumentException("not an object path: " + value);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
