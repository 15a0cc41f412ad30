package dev.mcpcontain.platform.windows.acl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a binary ACL (the DACL or SACL GetNamedSecurityInfoW returns) in pure Java, so that reading grants back is
 * unit-tested on any host. Layout: ACL header {AclRevision u8, Sbz1 u8, AclSize u16, AceCount u16, Sbz2 u16}, then
 * AceCount ACEs {AceType u8, AceFlags u8, AceSize u16, Mask u32, SID}. Little-endian.
 */
public final class AclBytes {

    public static final int ACCESS_ALLOWED = 0x0;
    public static final int ACCESS_DENIED = 0x1;
    public static final int SYSTEM_MANDATORY_LABEL = 0x11;
    /** AceFlags bit: the entry was inherited from a parent, not set on this object. */
    public static final int INHERITED_ACE = 0x10;
    /** AceFlags bits OBJECT_INHERIT | CONTAINER_INHERIT (what AceSpec.inheritance carries). */
    public static final int INHERIT_BITS = 0x3;
    /** The label ACE's mask: no write up. */
    public static final int NO_WRITE_UP = 0x1;

    /** One ACE. */
    public record Ace(int type, int flags, int mask, Sid sid) {
        public boolean inherited() {
            return (flags & INHERITED_ACE) != 0;
        }
    }

    private AclBytes() {}

    /** @param acl the ACL, at least AclSize bytes; an empty array is a NULL ACL (no entries) */
    public static List<Ace> parse(byte[] acl) {
        List<Ace> aces = new ArrayList<>();
        if (acl.length == 0) {
            return aces;
        }
        ByteBuffer b = ByteBuffer.wrap(acl).order(ByteOrder.LITTLE_ENDIAN);
        int size = Short.toUnsignedInt(b.getShort(2));
        int count = Short.toUnsignedInt(b.getShort(4));
        if (size > acl.length || size < 8) {
            throw new IllegalArgumentException("ACL size " + size + " outside the " + acl.length + " bytes read");
        }
        int at = 8;
        for (int i = 0; i < count; i++) {
            if (at + 8 > size) {
                throw new IllegalArgumentException("ACE " + i + " runs past the ACL");
            }
            int type = acl[at] & 0xFF;
            int flags = acl[at + 1] & 0xFF;
            int aceSize = Short.toUnsignedInt(b.getShort(at + 2));
            if (aceSize < 8 || at + aceSize > size) {
                throw new IllegalArgumentException("ACE " + i + " has size " + aceSize);
            }
            int mask = b.getInt(at + 4);
            Sid sid = null;
            if (type == ACCESS_ALLOWED || type == ACCESS_DENIED || type == SYSTEM_MANDATORY_LABEL) {
                int subCount = acl[at + 9] & 0xFF;
                sid = Sid.fromBytes(Arrays.copyOfRange(acl, at + 8, at + 8 + Sid.binaryLength(subCount)));
            }
            aces.add(new Ace(type, flags, mask, sid));
            at += aceSize;
        }
        return aces;
    }

    /** Builds a binary ACL (the inverse of {@link #parse}); used by tests and by the fake. */
    public static byte[] build(List<Ace> aces) {
        int size = 8;
        for (Ace a : aces) {
            size += 8 + a.sid().toBytes().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 2).put((byte) 0).putShort((short) size).putShort((short) aces.size()).putShort((short) 0);
        for (Ace a : aces) {
            byte[] sid = a.sid().toBytes();
            b.put((byte) a.type()).put((byte) a.flags()).putShort((short) (8 + sid.length)).putInt(a.mask()).put(sid);
        }
        return b.array();
    }

    /** Whether the DACL holds the explicit entry {@code ace} asks for (its mask included; GRANT_ACCESS may merge). */
    public static boolean holds(List<Ace> dacl, AceSpec ace) {
        int type = ace.deny() ? ACCESS_DENIED : ACCESS_ALLOWED;
        return dacl.stream().anyMatch(a -> a.type() == type && !a.inherited() && ace.trustee().equals(a.sid())
                && (a.mask() & ace.accessMask()) == ace.accessMask()
                && (a.flags() & INHERIT_BITS) == (ace.inheritance() & INHERIT_BITS));
    }

    /** The explicit mandatory label's RID in a SACL, or -1. */
    public static int explicitLabel(List<Ace> sacl) {
        return sacl.stream().filter(a -> a.type() == SYSTEM_MANDATORY_LABEL && !a.inherited())
                .mapToInt(a -> (int) a.sid().rid()).findFirst().orElse(-1);
    }
}
