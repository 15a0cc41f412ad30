package dev.mcpcontain.platform.dbus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Marshals values little-endian by signature. Java forms: {@code y} Byte, {@code b} Boolean, {@code i}/{@code u}
 * Integer, {@code s} and {@code g} String, {@code o} {@link ObjectPath}, {@code ay} byte[], {@code a{..}} Map,
 * other arrays List, structs Object[] or List, {@code v} {@link Variant}. Offsets count from the start of this
 * writer, which callers place on an 8-byte boundary of the message.
 */
final class WireWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    void align(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
    }

    void writeAll(String signature, List<?> values) {
        List<String> types = Signatures.split(signature);
        if (types.size() != values.size()) {
            throw new IllegalArgumentException("signature " + signature + " has " + types.size() + " values, given "
                    + values.size());
        }
        for (int i = 0; i < types.size(); i++) {
            write(types.get(i), values.get(i));
        }
    }

    void write(String type, Object value) {
        char c = type.charAt(0);
        align(Signatures.alignment(c));
        switch (c) {
            case 'y' -> out.write(((Number) value).intValue());
            case 'b' -> uint32(((Boolean) value) ? 1 : 0);
            case 'i', 'u' -> uint32((Integer) value);
            case 's' -> string((String) value);
            case 'o' -> string(((ObjectPath) value).value());
            case 'g' -> signature((String) value);
            case 'v' -> {
                Variant v = (Variant) value;
                if (Signatures.split(v.signature()).size() != 1) {
                    throw new IllegalArgumentException("a variant holds one complete type, not " + v.signature());
                }
                signature(v.signature());
                write(v.signature(), v.value());
            }
            case 'a' -> array(type.substring(1), value);
            case '(' -> {
                List<?> fields = value instanceof Object[] array ? List.of(array) : (List<?>) value;
                writeAll(type.substring(1, type.length() - 1), fields);
            }
            default -> throw new IllegalArgumentException("cannot marshal D-Bus type " + type);
        }
    }

    private void array(String element, Object value) {
        int lengthAt = out.size();
        uint32(0); // patched below, once the length is known
        align(Signatures.alignment(element.charAt(0)));
        int start = out.size();
        if (element.equals("y")) {
            out.writeBytes((byte[]) value);
        } else if (element.charAt(0) == '{') {
            List<String> kv = Signatures.split(element.substring(1, element.length() - 1));
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                align(8);
                write(kv.get(0), e.getKey());
                write(kv.get(1), e.getValue());
            }
        } else {
            for (Object item : (List<?>) value) {
                write(element, item);
            }
        }
        patch(lengthAt, out.size() - start);
    }

    private void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        uint32(utf8.length);
        out.writeBytes(utf8);
        out.write(0);
    }

    private void signature(String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length > 255) {
            throw new IllegalArgumentException("signature too long: " + s);
        }
        out.write(ascii.length);
        out.writeBytes(ascii);
        out.write(0);
    }

    private void uint32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private void patch(int at, int v) {
        byte[] all = out.toByteArray();
        all[at] = (byte) v;
        all[at + 1] = (byte) (v >>> 8);
        all[at + 2] = (byte) (v >>> 16);
        all[at + 3] = (byte) (v >>> 24);
        out.reset();
        out.writeBytes(all);
    }
}
