package dev.mcpcontain.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowListTest {

    private final AllowList list = AllowList.parse(List.of("allowed.test", "*.wild.test", "db.test:5432",
            "203.0.113.9:22", "[2001:db8::5]:8443", "localhost:3000", "127.0.0.1:9000", "allowed.test"));

    private static InetAddress ip(String s) {
        return Addresses.parseLiteral(s).orElseThrow();
    }

    private AllowList.Decision decide(String host, int port) {
        return list.decide(AllowList.Target.of(host, port));
    }

    @Test
    void duplicatesCollapse() {
        assertEquals(7, list.entries().size());
        assertEquals(List.of(22, 80, 443, 3000, 5432, 8443, 9000), list.ports());
    }

    @Test
    void namesByEntryAndPort() {
        assertTrue(decide("allowed.test", 443).allowed());
        assertTrue(decide("ALLOWED.test.", 80).allowed());
        assertFalse(decide("allowed.test", 8080).allowed());
        assertTrue(decide("allowed.test", 8080).reason().contains("other ports"));
        assertFalse(decide("denied.test", 443).allowed());
        assertTrue(decide("a.wild.test", 443).allowed());
        assertFalse(decide("wild.test", 443).allowed());
        assertTrue(decide("db.test", 5432).allowed());
        assertFalse(decide("db.test", 443).allowed());
        assertFalse(decide("allowed.test.evil", 443).allowed());
        assertFalse(decide("", 443).allowed());
        assertFalse(decide("a b", 443).allowed());
    }

    @Test
    void addressesOnlyWhenListedThemselves() {
        assertTrue(decide("203.0.113.9", 22).allowed());
        assertFalse(decide("203.0.113.9", 443).allowed());
        assertFalse(decide("203.0.113.10", 22).allowed());
        assertTrue(decide("[2001:db8::5]", 8443).allowed());
        assertTrue(decide("2001:db8:0::5", 8443).allowed());
        assertTrue(decide("127.0.0.1", 9000).allowed());
        assertFalse(decide("127.0.0.1", 3000).allowed());
    }

    @Test
    void privateResultsOfANameAreRefused() {
        AllowList.Decision d = decide("allowed.test", 443);
        for (String p : List.of("127.0.0.1", "10.1.2.3", "169.254.169.254", "100.64.0.1", "192.168.0.1", "::1",
                "fd00::1", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0")) {
            AllowList.Decision r = AllowList.checkResolved(d, ip(p));
            assertFalse(r.allowed(), p);
            assertTrue(r.reason().contains("resolves to"), r.reason());
        }
        assertTrue(AllowList.checkResolved(d, ip("203.0.113.5")).allowed());
    }

    @Test
    void localhostAndTheLiteralItselfMayBePrivate() {
        assertTrue(AllowList.checkResolved(decide("localhost", 3000), ip("127.0.0.1")).allowed());
        assertTrue(AllowList.checkResolved(decide("localhost", 3000), ip("::1")).allowed());
        assertTrue(AllowList.checkResolved(decide("127.0.0.1", 9000), ip("127.0.0.1")).allowed());
    }

    @Test
    void theStubHandsOutOnlyCoveredNames() {
        assertTrue(list.coversName("allowed.test"));
        assertTrue(list.coversName("db.test"));
        assertTrue(list.coversName("x.wild.test"));
        assertFalse(list.coversName("wild.test"));
        assertFalse(list.coversName("denied.test"));
        assertFalse(list.coversName("203.0.113.9"));
    }

    @Test
    void suggestionNamesTheFlag() {
        assertEquals("--allow-host denied.test", AllowList.suggestion(AllowList.Target.of("denied.test", 443)));
        assertEquals("--allow-host denied.test:8080", AllowList.suggestion(AllowList.Target.of("denied.test", 8080)));
        assertEquals("--allow-host 203.0.113.5:443", AllowList.suggestion(AllowList.Target.of("203.0.113.5", 443)));
        assertEquals("--allow-host [::1]:80", AllowList.suggestion(AllowList.Target.of("::1", 80)));
    }
}
