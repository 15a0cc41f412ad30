package dev.mcpcontain.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    private static InetAddress ip(String s) {
        return Addresses.parseLiteral(s).orElseThrow(() -> new AssertionError(s));
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback", "127.255.255.254, loopback", "0.0.0.0, this host",
            "10.0.0.1, RFC 1918", "10.255.255.255, RFC 1918", "172.16.0.1, RFC 1918", "172.31.255.255, RFC 1918",
            "192.168.1.1, RFC 1918", "169.254.169.254, link-local", "169.254.0.1, link-local",
            "100.64.0.1, carrier-grade NAT", "100.127.255.255, carrier-grade NAT",
            "::1, loopback", "::, unspecified", "fc00::1, unique-local", "fd12:3456::1, unique-local",
            "fe80::1, link-local", "febf::1, link-local", "::ffff:127.0.0.1, loopback",
            "::ffff:169.254.169.254, link-local", "::ffff:10.1.2.3, RFC 1918"})
    void privateRanges(String address, String named) {
        String range = Addresses.privateRange(ip(address)).orElseThrow(() -> new AssertionError(address));
        assertTrue(range.contains(named), range);
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.7", "8.8.8.8", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255",
            "100.128.0.1", "169.253.255.255", "11.0.0.1", "126.255.255.255", "128.0.0.1", "1.0.0.0",
            "2001:db8::1", "fec0::1", "fe7f::1", "fbff::1", "::2", "2606:4700::1111", "224.0.0.1", "198.18.0.1"})
    void nothingElseIsPrivate(String address) {
        assertTrue(Addresses.privateRange(ip(address)).isEmpty(), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "127.1", "0x7f000001", "2130706433", "017.0.0.1", "1.2.3",
            "fe80::1%1", "::g", "1.2.3.4 "})
    void onlyPlainLiteralsParse(String text) {
        assertTrue(Addresses.parseLiteral(text).isEmpty(), text);
    }

    @ParameterizedTest
    @CsvSource({"0:0:0:0:0:0:0:1, ::1", "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "fe80:0:0:0:0:0:0:1, fe80::1",
            "::ffff:203.0.113.1, 203.0.113.1", "1:0:0:2:0:0:0:3, 1:0:0:2::3"})
    void canonicalText(String in, String out) {
        assertEquals(out, Addresses.text(ip(in)));
    }
}
