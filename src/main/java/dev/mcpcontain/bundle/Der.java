package dev.mcpcontain.bundle;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A DER element: just enough ASN.1 to walk a CMS SignedData (definite lengths only, as DER requires). Every read is
 * bounds-checked; a malformed input is a {@link Malformed} naming what was expected.
 *
 * @param tag     the identifier octet (single-byte tags only)
 * @param encoded the whole element, tag and length included (signed attributes are verified over it)
 * @param content the content octets
 */
record Der(int tag, byte[] encoded, byte[] content) {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    /** Input that is not the structure a signature block must hold. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** Exactly one element filling {@code bytes}. */
    static Der parse(byte[] bytes) {
        List<Der> all = sequenceOf(bytes);
        if (all.size() != 1) {
            throw new Malformed("expected one DER element, found " + all.size());
        }
        return all.get(0);
    }

    /** The elements that make up a constructed element's content. */
    List<Der> children() {
        if ((tag & 0x20) == 0) {
            throw new Malformed("tag 0x" + Integer.toHexString(tag) + " is not constructed");
        }
        return sequenceOf(content);
    }

    private static List<Der> sequenceOf(byte[] bytes) {
        List<Der> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int start = at;
            int tag = bytes[at++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new Malformed("multi-byte tags are not used in CMS signatures");
            }
            if (at >= bytes.length) {
                throw new Malformed("truncated length");
            }
            int first = bytes[at++] & 0xFF;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 4) {
                    throw new Malformed(n == 0 ? "indefinite length (not DER)" : "length of " + n + " bytes");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    if (at >= bytes.length) {
                        throw new Malformed("truncated length");
                    }
                    length = length << 8 | (bytes[at++] & 0xFF);
                }
            }
            if (length > bytes.length - at) {
                throw new Malformed("an element of " + length + " bytes runs past the end of its container");
            }
            int end = at + (int) length;
            out.add(new Der(tag, Arrays.copyOfRange(bytes, start, end), Arrays.copyOfRange(bytes, at, end)));
            at = end;
        }
        return out;
    }

    Der expect(int expected, String what) {
        if (tag != expected) {
            throw new Malformed(what + ": expected tag 0x" + Integer.toHexString(expected) + ", found 0x"
                    + Integer.toHexString(tag));
        }
        return this;
    }

    String oid() {
        expect(OID, "object identifier");
        if (content.length == 0) {
            throw new Malformed("empty object identifier");
        }
        StringBuilder out = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : content) {
            value = value << 7 | (b & 0x7F);
            if (value > Long.MAX_VALUE >> 8) {
                throw new Malformed("object identifier arc too large");
            }
            if ((b & 0x80) == 0) {
                if (first) {
                    long top = Math.min(value / 40, 2);
                    out.append(top).append('.').append(value - top * 40);
                    first = false;
                } else {
                    out.append('.').append(value);
                }
                value = 0;
            }
        }
        if ((content[content.length - 1] & 0x80) != 0) {
            throw new Malformed("truncated object identifier");
        }
        return out.toString();
    }

    BigInteger integer() {
        expect(INTEGER, "integer");
        if (content.length == 0) {
            throw new Malformed("empty integer");
        }
        return new BigInteger(content);
    }

    /** The same element under another tag: signed attributes are signed as a SET though sent as [0]. */
    byte[] retagged(int newTag) {
        byte[] copy = encoded.clone();
        copy[0] = (byte) newTag;
        return copy;
    }
}
