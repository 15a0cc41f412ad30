package dev.mcpcontain.platform.windows.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The JNA side's buffer reading and writing, run on Linux over buffers laid out as Windows x64 lays them out. */
class TokenInformationTest {

    @Test
    void readsTokenGroupsByX64Offsets() {
        Sid admins = Sid.ADMINISTRATORS;
        Sid internet = CapabilitySids.capability("internetClient");
        Memory a = TokenInformation.sidMemory(admins);
        Memory b = TokenInformation.sidMemory(internet);
        Memory groups = new Memory(8 + 2 * 16);
        groups.clear();
        groups.setInt(0, 2);
        groups.setPointer(8, a);
        groups.setInt(16, 0x10);
        groups.setPointer(24, b);
        groups.setInt(32, 0x4);
        assertEquals(List.of(new Win32.Group(admins, 0x10), new Win32.Group(internet, 0x4)), TokenInformation.groups(groups));
    }

    @Test
    void readsPrivilegesAsLuids() {
        Memory privileges = new Memory(4 + 2 * 12);
        privileges.setInt(0, 2);
        privileges.setInt(4, 23);
        privileges.setInt(8, 0);
        privileges.setInt(12, 3);
        privileges.setInt(16, 5);
        privileges.setInt(20, 1);
        privileges.setInt(24, 0);
        assertEquals(List.of(23L, (1L << 32) | 5), TokenInformation.privileges(privileges));
    }

    @Test
    void readsLabelUserAndAppContainerSid() {
        Memory label = TokenInformation.mandatoryLabel(Sid.integrity(0x1000));
        assertEquals(Sid.integrity(0x1000), TokenInformation.firstSid(label));
        assertEquals(0x20, label.getInt(8), "SE_GROUP_INTEGRITY");
        assertEquals(Pointer.nativeValue(label) + 16, Pointer.nativeValue(label.getPointer(0)), "SID follows the label");
        assertEquals("0101000000000010" + "00100000", HexFormat.of().formatHex(label.getByteArray(16, 12)));

        Memory none = new Memory(8);
        none.clear();
        assertEquals(Optional.empty(), TokenInformation.appContainerSid(none));
        Sid ac = CapabilitySids.appContainer("mcp-contain.x");
        Memory sid = TokenInformation.sidMemory(ac);
        Memory info = new Memory(8);
        info.setPointer(0, sid);
        assertEquals(Optional.of(ac), TokenInformation.appContainerSid(info));
    }

    @Test
    void writesSidAndAttributesArrays() {
        List<Object> keepAlive = new ArrayList<>();
        assertNull(TokenInformation.sidAndAttributesArray(List.of(), 4, keepAlive));
        Memory array = TokenInformation.sidAndAttributesArray(List.of(Sid.ADMINISTRATORS, Sid.USERS), 4, keepAlive);
        assertEquals(32, array.size());
        assertEquals(Sid.ADMINISTRATORS, TokenInformation.sidAt(array.getPointer(0)));
        assertEquals(4, array.getInt(8));
        assertEquals(Sid.USERS, TokenInformation.sidAt(array.getPointer(16)));
        assertEquals(3, keepAlive.size(), "both SIDs and the array stay referenced");
    }

    @Test
    void bindingsRefuseToLoadOffWindows() {
        org.junit.jupiter.api.Assumptions.assumeFalse(com.sun.jna.Platform.isWindows());
        assertThrows(UnsupportedOperationException.class, JnaWin32::new);
    }
}
