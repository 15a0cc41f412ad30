package dev.mcpcontain.platform.windows.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary ACL reader that grant read-back relies on, against ACL bytes written out by hand from the format. */
class AclBytesTest {

    static final Sid ALL_APP_PACKAGES = Sid.parse("S-1-15-2-1");

    /**
     * D:(A;OICI;0x1301bf;;;S-1-15-2-1)(D;;0xd0156;;;S-1-15-2-1) by hand: ACL header {rev 2, sbz, size 0x38, count 2,
     * sbz}; ACE {type 0, flags 3, size 0x18, mask 0x001301bf, SID 1/2 subauth/authority 15/2,1}; ACE {type 1,
     * flags 0, size 0x18, mask 0x000d0156, same SID}.
     */
    static final byte[] DACL = HexFormat.of().parseHex("0200380002000000"
            + "00031800" + "bf011300" + "010200000000000f" + "02000000" + "01000000"
            + "01001800" + "56010d00" + "010200000000000f" + "02000000" + "01000000");

    @Test
    void readsAllowAndDenyEntries() {
        List<AclBytes.Ace> aces = AclBytes.parse(DACL);
        assertEquals(List.of(new AclBytes.Ace(0, 3, 0x1301bf, ALL_APP_PACKAGES),
                new AclBytes.Ace(1, 0, 0xd0156, ALL_APP_PACKAGES)), aces);
        assertTrue(AclBytes.holds(aces, new AceSpec("C:\\x", ALL_APP_PACKAGES, false, AceSpec.READ_EXECUTE, 3, "")),
                "a merged, wider grant holds the narrower one asked for");
        assertFalse(AclBytes.holds(aces, new AceSpec("C:\\x", ALL_APP_PACKAGES, false, AceSpec.MODIFY, 0, "")),
                "inheritance must match");
        assertTrue(AclBytes.holds(aces, new AceSpec("C:\\x", ALL_APP_PACKAGES, true, AceSpec.WRITE_RIGHTS, 0, "")));
        assertEquals(DACL.length, AclBytes.build(aces).length);
        assertEquals(aces, AclBytes.parse(AclBytes.build(aces)));
    }

    @Test
    void inheritedEntriesDoNotCountAsOurs() {
        byte[] inherited = DACL.clone();
        inherited[9] = 0x13; // OI|CI|INHERITED_ACE on the first entry
        assertFalse(AclBytes.holds(AclBytes.parse(inherited),
                new AceSpec("C:\\x", ALL_APP_PACKAGES, false, AceSpec.MODIFY, 3, "")));
    }

    @Test
    void readsTheMandatoryLabel() {
        // S:(ML;OICI;NW;;;LW): type 0x11, flags 3, mask 1, SID S-1-16-4096.
        byte[] sacl = HexFormat.of().parseHex("0200" + "1c00" + "0100" + "0000" + "11031400" + "01000000"
                + "0101000000000010" + "00100000");
        assertEquals(0x1000, AclBytes.explicitLabel(AclBytes.parse(sacl)));
        assertEquals(-1, AclBytes.explicitLabel(AclBytes.parse(new byte[0])), "no SACL: no label (counts as Medium)");
    }

    @Test
    void truncatedAclsAreRejected() {
        byte[] cut = java.util.Arrays.copyOf(DACL, 40);
        assertThrows(IllegalArgumentException.class, () -> AclBytes.parse(cut));
    }
}
