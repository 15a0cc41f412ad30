package dev.mcpcontain.platform.windows.acl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A security identifier as a value: parsed from and printed as {@code S-1-...}, and encoded in the binary layout
 * Windows uses (revision, count, 48-bit big-endian authority, little-endian 32-bit sub-authorities), so SIDs can
 * be compared and built in Java without a native call.
 */
public final class Sid {

    public static final Sid EVERYONE = parse("S-1-1-0");
    public static final Sid LOCAL_SYSTEM = parse("S-1-5-18");
    public static final Sid ADMINISTRATORS = parse("S-1-5-32-544");
    public static final Sid USERS = parse("S-1-5-32-545");
    public static final Sid ALL_APPLICATION_PACKAGES = parse("S-1-15-2-1");

    private final long authority;
    private final long[] subAuthorities;

    private Sid(long authority, long[] subAuthorities) {
        if (subAuthorities.length > 15) {
            throw new IllegalArgumentException("a SID has at most 15 sub-authorities");
        }
        this.authority = authority;
        this.subAuthorities = subAuthorities;
    }

    public static Sid of(long authority, long... subAuthorities) {
        for (long s : subAuthorities) {
            if (s < 0 || s > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("sub-authority out of range: " + s);
            }
        }
        return new Sid(authority, subAuthorities.clone());
    }

    /** Integrity level SID {@code S-1-16-<rid>}. */
    public static Sid integrity(int rid) {
        return of(16, rid);
    }

    public static Sid parse(String text) {
        String[] parts = text.split("-");
        if (parts.length < 3 || !parts[0].equalsIgnoreCase("S") || !parts[1].equals("1")) {
            throw new IllegalArgumentException("not a SID: " + text);
        }
        try {
            long authority = Long.parseLong(parts[2]);
            if (authority < 0 || authority >= (1L << 48)) {
                throw new IllegalArgumentException("SID authority out of range: " + text);
            }
            long[] subs = new long[parts.length - 3];
            for (int i = 0; i < subs.length; i++) {
                subs[i] = Long.parseLong(parts[i + 3]);
            }
            return of(authority, subs);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a SID: " + text, e);
        }
    }

    public static Sid fromBytes(byte[] bytes) {
        if (bytes.length < 8 || bytes[0] != 1 || bytes.length != 8 + 4 * (bytes[1] & 0xFF)) {
            throw new IllegalArgumentException("not a binary SID (" + bytes.length + " bytes)");
        }
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = (authority << 8) | (bytes[i] & 0xFF);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 8, bytes.length - 8).order(ByteOrder.LITTLE_ENDIAN);
        long[] subs = new long[bytes[1] & 0xFF];
        for (int i = 0; i < subs.length; i++) {
            subs[i] = Integer.toUnsignedLong(buffer.getInt());
        }
        return new Sid(authority, subs);
    }

    /** Length in bytes of a binary SID whose first two bytes are given (what GetLengthSid computes). */
    public static int binaryLength(int subAuthorityCount) {
        return 8 + 4 * subAuthorityCount;
    }

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(binaryLength(subAuthorities.length)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put((byte) 1).put((byte) subAuthorities.length);
        for (int shift = 40; shift >= 0; shift -= 8) {
            buffer.put((byte) (authority >>> shift));
        }
        for (long s : subAuthorities) {
            buffer.putInt((int) s);
        }
        return buffer.array();
    }

    public long authority() {
        return authority;
    }

    public long[] subAuthorities() {
        return subAuthorities.clone();
    }

    /** The last sub-authority: the integrity level of an {@code S-1-16-x} label. */
    public long rid() {
        return subAuthorities.length == 0 ? -1 : subAuthorities[subAuthorities.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sid other && authority == other.authority
                && Arrays.equals(subAuthorities, other.subAuthorities);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(authority) * 31 + Arrays.hashCode(subAuthorities);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("S-1-").append(authority);
        for (long s : subAuthorities) {
            text.append('-').append(s);
        }
        return text.toString();
    }
}
