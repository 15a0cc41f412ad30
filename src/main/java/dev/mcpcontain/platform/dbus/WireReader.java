package dev.mcpcontain.platform.dbus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unmarshals values by signature into the Java forms {@link WireWriter} takes (structs come back as
 * {@code List<Object>}). Either byte order, as the sender's message says. Malformed input (lengths past the end,
 * missing NULs, nesting beyond the specification's limit) throws {@link DBusException}.
 */
final class WireReader {

    private static final int MAX_DEPTH = 64;

    private final ByteBuffer buffer;
    private final int base;
    private int depth;

    /** Reads {@code bytes[offset..]}; alignment counts from {@code offset}, an 8-byte boundary of the message. */
    WireReader(byte[] bytes, int offset, int length, ByteOrder order) {
        this.buffer = ByteBuffer.wrap(bytes, 0, offset + length).order(order);
        this.buffer.position(offset);
        this.base = offset;
    }

    int position() {
        return buffer.position() - base;
    }

    void align(int alignment) {
        int pad = (alignment - position() % alignment) % alignment;
        need(pad);
        buffer.position(buffer.position() + pad);
    }

    List<Object> readAll(String signature) {
        List<Object> values = new ArrayList<>();
        for (String type : Signatures.split(signature)) {
            values.add(read(type));
        }
        return values;
    }

    Object read(String type) {
        if (++depth > MAX_DEPTH) {
            throw new DBusException("", "D-Bus message nested too deeply");
        }
        try {
            char c = type.charAt(0);
            align(Signatures.alignment(c));
            return switch (c) {
                case 'y' -> { need(1); yield buffer.get(); }
                case 'b' -> uint32() != 0;
                case 'i', 'u' -> uint32();
                case 's' -> string(uint32());
                case 'o' -> new ObjectPath(string(uint32()));
                case 'g' -> signature();
                case 'v' -> {
                    String signature = signature();
                    if (Signatures.split(signature).size() != 1) {
                        throw new DBusException("", "D-Bus variant with signature '" + signature + "'");
                    }
                    yield new Variant(signature, read(signature));
                }
                case 'a' -> array(type.substring(1));
                case '(' -> readAll(type.substring(1, type.length() - 1));
                default -> throw new DBusException("", "cannot unmarshal D-Bus type " + type);
            };
        } catch (IllegalArgumentException e) {
            throw new DBusException("", "malformed D-Bus message: " + e.getMessage());
        } finally {
            depth--;
        }
    }

    private Object array(String element) {
        int length = uint32();
        if (length < 0 || length > (1 << 26)) {
            throw new DBusException("", "D-Bus array of " + Integer.toUnsignedString(length) + " bytes");
        }
        align(Signatures.alignment(element.charAt(0)));
        need(length);
        int end = buffer.position() + length;
        if (element.equals("y")) {
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
        }
        if (element.charAt(0) == '{') {
            List<String> kv = Signatures.split(element.substring(1, element.length() - 1));
            Map<Object, Object> map = new LinkedHashMap<>();
            while (buffer.position() < end) {
                align(8);
                Object key = read(kv.get(0));
                map.put(key, read(kv.get(1)));
            }
            return map;
        }
        List<Object> items = new ArrayList<>();
        while (buffer.position() < end) {
            items.add(read(element));
        }
        return items;
    }

    private int uint32() {
        need(4);
        return buffer.getInt();
    }

    private String string(int length) {
        if (length < 0) {
            throw new DBusException("", "D-Bus string of " + Integer.toUnsignedString(length) + " bytes");
        }
        need(length + 1);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        if (buffer.get() != 0) {
            throw new DBusException("", "D-Bus string not terminated by NUL");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String signature() {
        need(1);
        return string(buffer.get() & 0xff);
    }

    private void need(int n) {
        if (buffer.remaining() < n) {
            throw new DBusException("", "D-Bus message truncated");
        }
    }
}
