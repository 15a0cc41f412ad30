package dev.mcpcontain.platform.dbus;

/** A D-Bus variant ({@code v}): a value together with the signature of its single complete type. */
public record Variant(String signature, Object value) {}
