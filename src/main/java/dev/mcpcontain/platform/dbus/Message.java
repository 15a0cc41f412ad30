package dev.mcpcontain.platform.dbus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One D-Bus message: what {@link BusConnection} sends (method calls, always little-endian) and what it receives
 * (replies, errors and signals, in the sender's byte order).
 *
 * @param type        1 method call, 2 method return, 3 error, 4 signal
 * @param serial      the sender's serial
 * @param fields      header fields by code (1 path, 2 interface, 3 member, 4 error name, 5 reply serial,
 *                    6 destination, 7 sender, 8 signature)
 * @param body        the marshalled body
 * @param order       its byte order
 */
record Message(int type, int serial, Map<Integer, Object> fields, byte[] body, ByteOrder order) {

    static final int METHOD_CALL = 1;
    static final int METHOD_RETURN = 2;
    static final int ERROR = 3;
    /** The specification's limit on a whole message. */
    static final int MAX_LENGTH = 128 << 20;

    static byte[] methodCall(int serial, String destination, String path, String iface, String member,
            String signature, List<?> args) {
        WireWriter body = new WireWriter();
        body.writeAll(signature, args);
        List<Object[]> fields = new ArrayList<>();
        fields.add(new Object[] {(byte) 1, new Variant("o", new ObjectPath(path))});
        if (iface != null) {
            fields.add(new Object[] {(byte) 2, new Variant("s", iface)});
        }
        fields.add(new Object[] {(byte) 3, new Variant("s", member)});
        if (destination != null) {
            fields.add(new Object[] {(byte) 6, new Variant("s", destination)});
        }
        if (!signature.isEmpty()) {
            fields.add(new Object[] {(byte) 8, new Variant("g", signature)});
        }
        WireWriter header = new WireWriter();
        header.write("y", (byte) 'l');
        header.write("y", (byte) METHOD_CALL);
        header.write("y", (byte) 0);
        header.write("y", (byte) 1);
        header.write("u", body.size());
        header.write("u", serial);
        header.write("a(yv)", fields);
        header.align(8);
        byte[] h = header.bytes();
        byte[] b = body.bytes();
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    /** The length of the whole message whose first 16 bytes are {@code fixed}. */
    static int totalLength(byte[] fixed) {
        ByteOrder order = order(fixed[0]);
        ByteBuffer b = ByteBuffer.wrap(fixed).order(order);
        long bodyLength = Integer.toUnsignedLong(b.getInt(4));
        long fieldsLength = Integer.toUnsignedLong(b.getInt(12));
        long header = 16 + fieldsLength;
        long total = ((header + 7) & ~7L) + bodyLength;
        if (fixed[3] != 1 || total > MAX_LENGTH) {
            throw new DBusException("", "not a D-Bus message (protocol version " + fixed[3] + ", length " + total + ")");
        }
        return (int) total;
    }

    /** Parses a whole message as {@link #totalLength} measured it. */
    static Message parse(byte[] bytes) {
        ByteOrder order = order(bytes[0]);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        int bodyLength = b.getInt(4);
        int serial = b.getInt(8);
        WireReader reader = new WireReader(bytes, 0, bytes.length, order);
        reader.readAll("yyyyuu");
        Map<Integer, Object> fields = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<Object> raw = (List<Object>) reader.read("a(yv)");
        for (Object f : raw) {
            List<?> field = (List<?>) f;
            fields.put(((Byte) field.get(0)) & 0xff, ((Variant) field.get(1)).value());
        }
        reader.align(8);
        int bodyStart = reader.position();
        if (bodyStart + bodyLength != bytes.length) {
            throw new DBusException("", "D-Bus message length mismatch");
        }
        byte[] body = new byte[bodyLength];
        System.arraycopy(bytes, bodyStart, body, 0, bodyLength);
        return new Message(bytes[1], serial, fields, body, order);
    }

    private static ByteOrder order(byte flag) {
        return switch (flag) {
            case 'l' -> ByteOrder.LITTLE_ENDIAN;
            case 'B' -> ByteOrder.BIG_ENDIAN;
            default -> throw new DBusException("", "not a D-Bus message (byte order flag " + flag + ")");
        };
    }

    String signature() {
        Object s = fields.get(8);
        return s == null ? "" : (String) s;
    }

    int replySerial() {
        Object s = fields.get(5);
        return s == null ? 0 : (Integer) s;
    }

    String errorName() {
        Object s = fields.get(4);
        return s == null ? "" : (String) s;
    }

    List<Object> values() {
        return new WireReader(body, 0, body.length, order).readAll(signature());
    }
}
