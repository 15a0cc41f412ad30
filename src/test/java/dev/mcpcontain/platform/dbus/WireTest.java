package dev.mcpcontain.platform.dbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Marshalling against byte sequences worked out by hand from the D-Bus specification, and round trips. */
class WireTest {

    private static String hex(WireWriter w) {
        return HexFormat.of().formatHex(w.bytes());
    }

    @Test
    void basicTypesAreAlignedAndLittleEndian() {
        WireWriter w = new WireWriter();
        w.writeAll("ysub", List.of((byte) 7, "ab", 258, true));
        // y=07, pad to 4, s: len 2 "ab" NUL, pad to 8, u=258, b=1
        assertEquals("07000000" + "02000000" + "616200" + "00" + "02010000" + "01000000", hex(w));
    }

    @Test
    void arrayLengthExcludesThePaddingBeforeEightAlignedElements() {
        WireWriter w = new WireWriter();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("k", "v");
        w.write("a{ss}", m);
        // length 14 (k: 4+1+1, pad 2, v: 4+1+1), then the padding to 8 before the first entry
        assertEquals("0e000000" + "00000000" + "01000000" + "6b00" + "0000" + "01000000" + "7600", hex(w));
    }

    @Test
    void variantsStructsAndByteArraysRoundTrip() {
        Map<String, Variant> props = new LinkedHashMap<>();
        props.put("org.freedesktop.Secret.Item.Label", new Variant("s", "label"));
        props.put("org.freedesktop.Secret.Item.Attributes", new Variant("a{ss}", Map.of("server", "x")));
        Object[] secret = {new ObjectPath("/s/1"), new byte[0], new byte[] {1, 2, 3}, "text/plain"};
        WireWriter w = new WireWriter();
        w.writeAll("a{sv}(oayays)b", List.of(props, secret, true));
        byte[] bytes = w.bytes();
        List<Object> back = new WireReader(bytes, 0, bytes.length, ByteOrder.LITTLE_ENDIAN).readAll("a{sv}(oayays)b");
        Map<?, ?> readProps = (Map<?, ?>) back.get(0);
        assertEquals(new Variant("s", "label"), readProps.get("org.freedesktop.Secret.Item.Label"));
        assertEquals(Map.of("server", "x"), ((Variant) readProps.get("org.freedesktop.Secret.Item.Attributes")).value());
        List<?> struct = (List<?>) back.get(1);
        assertEquals(new ObjectPath("/s/1"), struct.get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) struct.get(2));
        assertEquals("text/plain", struct.get(3));
        assertEquals(true, back.get(2));
    }

    @Test
    void aMethodCallHasTheSpecifiedHeader() {
        byte[] call = Message.methodCall(5, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service", "ReadAlias", "s", List.of("default"));
        assertEquals('l', call[0]);
        assertEquals(1, call[1]);
        assertEquals(1, call[3]);
        assertEquals(call.length, Message.totalLength(java.util.Arrays.copyOf(call, 16)));
        Message parsed = Message.parse(call);
        assertEquals(5, parsed.serial());
        assertEquals("ReadAlias", parsed.fields().get(3));
        assertEquals(new ObjectPath("/org/freedesktop/secrets"), parsed.fields().get(1));
        assertEquals(List.of("default"), parsed.values());
    }

    @Test
    void bigEndianRepliesAreRead() {
        // A big-endian method return: serial 9, reply to 5, signature "o", body "/a".
        String header = "42" + "02" + "00" + "01" + "00000007" + "00000009" + "0000000f"
                + "05" + "01" + "7500" + "00000005" // field 5 (reply serial): variant "u" = 5
                + "08" + "01" + "6700" + "01" + "6f00" // field 8 (signature): variant "g" = "o"
                + "00"; // pad header to 8
        String body = "00000002" + "2f6100";
        byte[] bytes = HexFormat.of().parseHex(header + body);
        assertEquals(bytes.length, Message.totalLength(java.util.Arrays.copyOf(bytes, 16)));
        Message m = Message.parse(bytes);
        assertEquals(5, m.replySerial());
        assertEquals(List.of(new ObjectPath("/a")), m.values());
    }

    @Test
    void malformedInputIsAnErrorNotACrash() {
        byte[] truncated = HexFormat.of().parseHex("05000000616263");
        assertThrows(DBusException.class,
                () -> new WireReader(truncated, 0, truncated.length, ByteOrder.LITTLE_ENDIAN).read("s"));
        byte[] noNul = HexFormat.of().parseHex("0100000061ff");
        assertThrows(DBusException.class,
                () -> new WireReader(noNul, 0, noNul.length, ByteOrder.LITTLE_ENDIAN).read("s"));
        byte[] huge = HexFormat.of().parseHex("ffffff7f");
        assertThrows(DBusException.class,
                () -> new WireReader(huge, 0, huge.length, ByteOrder.LITTLE_ENDIAN).read("ay"));
        assertThrows(DBusException.class, () -> Message.totalLength(HexFormat.of().parseHex("6c020002"
                + "00000000000000000000000000000000".substring(8))));
    }

    @Test
    void signaturesSplitIntoCompleteTypes() {
        assertEquals(List.of("s", "a{sv}", "(oayays)", "b"), Signatures.split("sa{sv}(oayays)b"));
        assertThrows(IllegalArgumentException.class, () -> Signatures.split("z"));
    }
}
