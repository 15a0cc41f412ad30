package dev.mcpcontain.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class DerTest {

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static String malformed(int... values) {
        return assertThrows(Der.Malformed.class, () -> Der.parse(bytes(values)).children()).getMessage();
    }

    @Test
    void readsNestedElementsOidsAndIntegers() {
        // SEQUENCE { OID 1.2.840.113549.1.7.2, INTEGER 256, [0] { NULL } }
        Der seq = Der.parse(bytes(0x30, 0x15, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
                0x02, 0x02, 0x01, 0x00, 0xa0, 0x02, 0x05, 0x00, 0x05, 0x00));
        List<Der> children = seq.children();
        assertEquals(4, children.size());
        assertEquals("1.2.840.113549.1.7.2", children.get(0).oid());
        assertEquals(BigInteger.valueOf(256), children.get(1).integer());
        assertEquals(0xa0, children.get(2).tag());
        assertArrayEquals(bytes(0x31, 0x02, 0x05, 0x00), children.get(2).retagged(Der.SET));
    }

    @Test
    void longFormLengthsAreRead() {
        byte[] content = new byte[300];
        byte[] encoded = new byte[304];
        encoded[0] = 0x04;
        encoded[1] = (byte) 0x82;
        encoded[2] = 0x01;
        encoded[3] = 0x2c;
        System.arraycopy(content, 0, encoded, 4, 300);
        assertEquals(300, Der.parse(encoded).content().length);
    }

    @Test
    void malformedInputIsRefusedNamingTheProblem() {
        assertEquals("indefinite length (not DER)", malformed(0x30, 0x80, 0x00, 0x00));
        assertEquals("an element of 5 bytes runs past the end of its container", malformed(0x30, 0x05, 0x02, 0x01));
        assertEquals("truncated length", malformed(0x30, 0x82, 0x01));
        assertEquals("length of 5 bytes", malformed(0x30, 0x85, 0x01, 0x01, 0x01, 0x01, 0x01));
        assertEquals("multi-byte tags are not used in CMS signatures", malformed(0x1f, 0x01, 0x00));
        assertEquals("expected one DER element, found 2", malformed(0x05, 0x00, 0x05, 0x00));
        assertEquals("an element of 2 bytes runs past the end of its container", malformed(0x30, 0x02, 0x30, 0x02));
        assertEquals("tag 0x4 is not constructed", assertThrows(Der.Malformed.class,
                () -> Der.parse(bytes(0x04, 0x00)).children()).getMessage());
        assertEquals("truncated object identifier", assertThrows(Der.Malformed.class,
                () -> Der.parse(bytes(0x06, 0x02, 0x2a, 0x86)).oid()).getMessage());
        assertEquals("object identifier: expected tag 0x6, found 0x2", assertThrows(Der.Malformed.class,
                () -> Der.parse(bytes(0x02, 0x01, 0x01)).oid()).getMessage());
    }
}
