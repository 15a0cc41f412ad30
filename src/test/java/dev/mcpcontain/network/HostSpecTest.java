package dev.mcpcontain.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostSpecTest {

    @Test
    void aNameWithoutPortMeans80And443() {
        HostSpec h = HostSpec.parse("API.GitHub.com.");
        assertEquals(HostSpec.Kind.NAME, h.kind());
        assertEquals("api.github.com", h.host());
        assertEquals(List.of(80, 443), h.ports());
        assertTrue(h.matchesName("api.github.com", 443));
        assertTrue(h.matchesName("api.github.com", 80));
        assertFalse(h.matchesName("api.github.com", 22));
        assertFalse(h.matchesName("x.api.github.com", 443));
        assertEquals("api.github.com", h.toString());
    }

    @Test
    void aPortNarrowsToThatPort() {
        HostSpec h = HostSpec.parse("allowed.test:8080");
        assertEquals(List.of(8080), h.ports());
        assertTrue(h.matchesName("allowed.test", 8080));
        assertFalse(h.matchesName("allowed.test", 443));
        assertEquals("allowed.test:8080", h.toString());
    }

    @Test
    void aWildcardMatchesSubdomainsOnlyNeverTheApex() {
        HostSpec h = HostSpec.parse("*.example.com");
        assertEquals(HostSpec.Kind.WILDCARD, h.kind());
        assertTrue(h.matchesName("a.example.com", 443));
        assertTrue(h.matchesName("a.b.example.com", 80));
        assertFalse(h.matchesName("example.com", 443));
        assertFalse(h.matchesName("badexample.com", 443));
        assertFalse(h.matchesName("example.com.evil.net", 443));
        assertEquals("*.example.com", h.toString());
    }

    @Test
    void ipv4AndIpv6Literals() {
        HostSpec v4 = HostSpec.parse("203.0.113.7");
        assertEquals(HostSpec.Kind.ADDRESS, v4.kind());
        assertEquals(List.of(80, 443), v4.ports());
        HostSpec v4port = HostSpec.parse("203.0.113.7:5432");
        assertEquals(List.of(5432), v4port.ports());
        HostSpec v6 = HostSpec.parse("[::1]:8080");
        assertEquals("::1", v6.host());
        assertEquals(List.of(8080), v6.ports());
        assertEquals("[::1]:8080", v6.toString());
        HostSpec bare = HostSpec.parse("2001:DB8:0:0::1");
        assertEquals("2001:db8::1", bare.host());
        assertEquals(List.of(80, 443), bare.ports());
        HostSpec bracketed = HostSpec.parse("[2001:db8::1]");
        assertEquals(bare, bracketed);
        assertTrue(v6.matchesAddress(Addresses.parseLiteral("0:0:0:0:0:0:0:1").orElseThrow(), 8080));
        assertFalse(v6.matchesName("::1", 8080));
    }

    @Test
    void localhostIsANameWithItsOwnMeaning() {
        assertTrue(HostSpec.parse("localhost:3000").isLocalhost());
        assertFalse(HostSpec.parse("localhost.example.com").isLocalhost());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "https://api.github.com", "api.github.com/path", "*.com", "*", "a.*.com",
            "foo*.example.com", "host:0", "host:65536", "host:http", "host:", "[::1", "[::1]8080", "[203.0.113.1]:80",
            "1:2:3", "0x7f.0.0.1", "0177.0.0.1", "127.1", "2130706433", "256.1.1.1", "exa mple.com", "-bad.com",
            "bad-.com", "a..b", "ünicode.de", "[fe80::1%eth0]:80", "1.2.3.4.5"})
    void badEntriesAreRefusedWithTheEntryNamed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostSpec.parse(text));
        assertTrue(e.getMessage().startsWith("'"), e.getMessage());
    }

    @Test
    void toStringParsesBackToTheSameEntry() {
        for (String s : List.of("a.b", "*.a.b", "a.b:1", "203.0.113.9", "203.0.113.9:22", "[::1]:8080", "2001:db8::1",
                "localhost")) {
            HostSpec h = HostSpec.parse(s);
            assertEquals(h, HostSpec.parse(h.toString()), s);
        }
    }
}
