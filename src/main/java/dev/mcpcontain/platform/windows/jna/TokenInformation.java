package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the buffers GetTokenInformation fills and writes the SID arrays Windows takes, by x64 offset. Kept apart
 * from the calls so that the tests can run it on Linux over buffers they lay out themselves.
 */
public final class TokenInformation {

    public static final int TOKEN_USER = 1;
    public static final int TOKEN_GROUPS = 2;
    public static final int TOKEN_PRIVILEGES = 3;
    public static final int TOKEN_INTEGRITY_LEVEL = 25;
    public static final int TOKEN_CAPABILITIES = 30;
    public static final int TOKEN_IS_APP_CONTAINER = 29;
    public static final int TOKEN_APP_CONTAINER_SID = 31;

    /** SID_AND_ATTRIBUTES: PSID at 0, DWORD at 8, 16 bytes. */
    static final int SID_AND_ATTRIBUTES_SIZE = 16;
    /** TOKEN_GROUPS: DWORD count, the array at 8 (pointer alignment). */
    static final int GROUPS_OFFSET = 8;
    /** TOKEN_PRIVILEGES: DWORD count, LUID_AND_ATTRIBUTES (12 bytes, 4-aligned) from offset 4. */
    static final int PRIVILEGES_OFFSET = 4;
    static final int LUID_AND_ATTRIBUTES_SIZE = 12;

    private TokenInformation() {}

    public static Sid sidAt(Pointer sid) {
        int count = sid.getByte(1) & 0xFF;
        return Sid.fromBytes(sid.getByteArray(0, Sid.binaryLength(count)));
    }

    /** TOKEN_GROUPS (TokenGroups, TokenCapabilities). */
    public static List<Win32.Group> groups(Pointer buffer) {
        int count = buffer.getInt(0);
        List<Win32.Group> groups = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long entry = GROUPS_OFFSET + (long) i * SID_AND_ATTRIBUTES_SIZE;
            groups.add(new Win32.Group(sidAt(buffer.getPointer(entry)), buffer.getInt(entry + 8)));
        }
        return groups;
    }

    public static List<Long> privileges(Pointer buffer) {
        int count = buffer.getInt(0);
        List<Long> luids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long entry = PRIVILEGES_OFFSET + (long) i * LUID_AND_ATTRIBUTES_SIZE;
            long low = Integer.toUnsignedLong(buffer.getInt(entry));
            long high = buffer.getInt(entry + 4);
            luids.add((high << 32) | low);
        }
        return luids;
    }

    /** TOKEN_USER and TOKEN_MANDATORY_LABEL both start with a SID_AND_ATTRIBUTES. */
    public static Sid firstSid(Pointer buffer) {
        return sidAt(buffer.getPointer(0));
    }

    /** TOKEN_APPCONTAINER_INFORMATION: a PSID, NULL for a token that is not an AppContainer's. */
    public static Optional<Sid> appContainerSid(Pointer buffer) {
        Pointer sid = buffer.getPointer(0);
        return sid == null ? Optional.empty() : Optional.of(sidAt(sid));
    }

    /** A binary SID in its own native memory. */
    public static Memory sidMemory(Sid sid) {
        byte[] bytes = sid.toBytes();
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        return memory;
    }

    /**
     * A SID_AND_ATTRIBUTES array; the SIDs' memory is appended to {@code keepAlive}, which the caller must hold
     * until Windows has read the array. Null for an empty list.
     */
    public static Memory sidAndAttributesArray(List<Sid> sids, int attributes, List<Object> keepAlive) {
        if (sids.isEmpty()) {
            return null;
        }
        Memory array = new Memory((long) sids.size() * SID_AND_ATTRIBUTES_SIZE);
        array.clear();
        for (int i = 0; i < sids.size(); i++) {
            Memory sid = sidMemory(sids.get(i));
            keepAlive.add(sid);
            array.setPointer((long) i * SID_AND_ATTRIBUTES_SIZE, sid);
            array.setInt((long) i * SID_AND_ATTRIBUTES_SIZE + 8, attributes);
        }
        keepAlive.add(array);
        return array;
    }

    /** TOKEN_MANDATORY_LABEL followed by its SID in one block, as SetTokenInformation wants it. */
    public static Memory mandatoryLabel(Sid label) {
        byte[] sid = label.toBytes();
        Memory block = new Memory(SID_AND_ATTRIBUTES_SIZE + sid.length);
        block.clear();
        block.write(SID_AND_ATTRIBUTES_SIZE, sid, 0, sid.length);
        block.setPointer(0, block.share(SID_AND_ATTRIBUTES_SIZE));
        block.setInt(8, 0x20); // SE_GROUP_INTEGRITY
        return block;
    }
}
