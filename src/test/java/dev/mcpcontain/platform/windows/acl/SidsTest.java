package dev.mcpcontain.platform.windows.acl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SidsTest {

    /** SIDs published in public code (Chromium's capability list) for capability names outside the legacy table. */
    @ParameterizedTest
    @CsvSource({
        "lpacChromeInstallFiles, S-1-15-3-1024-2302894289-466761758-1166120688-1039016420-2430351297-4240214049-4028510897-3317428798",
        "lpacInstrumentation, S-1-15-3-1024-3153509613-960666767-3724611135-2725662640-12138253-543910227-1950414635-4190290187",
        "lpacMedia, S-1-15-3-1024-1692970155-4054893335-185714091-3362601943-3526593181-1159816984-2199008581-497492991",
        "lpacPrinting, S-1-15-3-1024-4044835139-2658482041-3127973164-329287231-3865880861-1938685643-461067658-1087000422"
    })
    void derivedCapabilitySidsMatchKnownVectors(String name, String sid) {
        assertEquals(sid, CapabilitySids.capability(name).toString());
    }

    @ParameterizedTest
    @CsvSource({"internetClient, 1", "internetClientServer, 2", "privateNetworkClientServer, 3",
        "picturesLibrary, 4", "videosLibrary, 5", "musicLibrary, 6", "documentsLibrary, 7",
        "enterpriseAuthentication, 8", "sharedUserCertificates, 9", "removableStorage, 10", "appointments, 11",
        "contacts, 12"})
    void legacyCapabilitiesHaveSmallRids(String name, int rid) {
        assertEquals("S-1-15-3-" + rid, CapabilitySids.capability(name).toString());
    }

    @Test
    void capabilityNamesAreCaseInsensitive() {
        assertEquals(CapabilitySids.capability("lpacMedia"), CapabilitySids.capability("LPACMEDIA"));
        assertEquals(CapabilitySids.capability("internetClient"), CapabilitySids.capability("INTERNETCLIENT"));
    }

    /** The legacy Edge package SID, published widely (firewall rules, icacls scripts). */
    @Test
    void appContainerSidMatchesThePublishedEdgeSid() {
        assertEquals("S-1-15-2-3624051433-2125758914-1423191267-1740899205-1073925389-3782572162-737981194",
                CapabilitySids.appContainer("Microsoft.MicrosoftEdge_8wekyb3d8bbwe").toString());
        assertEquals(CapabilitySids.appContainer("microsoft.microsoftedge_8wekyb3d8bbwe"),
                CapabilitySids.appContainer("MICROSOFT.MICROSOFTEDGE_8WEKYB3D8BBWE"));
        assertNotEquals(CapabilitySids.appContainer("mcp-contain.a"), CapabilitySids.appContainer("mcp-contain.b"));
    }

    @Test
    void binaryLayoutIsRevisionCountBigEndianAuthorityLittleEndianRids() {
        Sid admins = Sid.parse("S-1-5-32-544");
        assertEquals("0102000000000005" + "20000000" + "20020000", HexFormat.of().formatHex(admins.toBytes()));
        assertEquals(admins, Sid.fromBytes(admins.toBytes()));
        Sid big = CapabilitySids.capability("lpacMedia");
        assertEquals(big, Sid.fromBytes(big.toBytes()));
        assertEquals(8 + 4 * 10, big.toBytes().length);
        assertArrayEquals(new long[] {4096}, Sid.integrity(4096).subAuthorities());
        assertEquals(4096, Sid.parse("S-1-16-4096").rid());
    }

    @Test
    void malformedSidsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sid.parse("S-2-5"));
        assertThrows(IllegalArgumentException.class, () -> Sid.parse("X-1-5-32"));
        assertThrows(IllegalArgumentException.class, () -> Sid.parse("S-1-5-4294967296"));
        assertThrows(IllegalArgumentException.class, () -> Sid.fromBytes(new byte[] {1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0}));
        assertTrue(Sid.parse("s-1-5-18").equals(Sid.LOCAL_SYSTEM));
    }

    @Test
    void appContainerNamesAreStableValidAndBounded() {
        assertEquals("mcp-contain.server-filesystem-3f2a91bc", AppContainerNames.forServer("server-filesystem-3f2a91bc"));
        String longId = "a".repeat(64);
        String name = AppContainerNames.forServer(longId);
        assertTrue(name.length() <= 64 && AppContainerNames.isValid(name), name);
        assertEquals(name, AppContainerNames.forServer(longId));
        assertNotEquals(name, AppContainerNames.forServer("a".repeat(63) + "b"));
        String odd = AppContainerNames.forServer("weird/id:x");
        assertTrue(AppContainerNames.isValid(odd), odd);
        assertNotEquals(odd, AppContainerNames.forServer("weird_id_x"), "cleaning must not make two ids collide");
    }
}
