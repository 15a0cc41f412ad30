package dev.mcpcontain.network;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Address literals and the private ranges an allow-list never reaches by name. Parsing never touches DNS: a
 * string is an address only when it is plainly written as one (four decimal IPv4 parts without leading zeros, or
 * an IPv6 literal without a zone).
 */
public final class Addresses {

    private Addresses() {}

    /** Parses a plain IPv4 or IPv6 literal (no brackets, no zone); empty when the text is anything else. */
    public static Optional<InetAddress> parseLiteral(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        if (text.indexOf(':') >= 0) {
            if (!text.matches("[0-9A-Fa-f:.]+")) {
                return Optional.empty();
            }
            try {
                InetAddress a = InetAddress.getByName(text); // a literal with ':' never goes to DNS
                return Optional.of(a);
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("0|[1-9][0-9]{0,2}")) {
                return Optional.empty();
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return Optional.empty();
            }
            b[i] = (byte) v;
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Canonical text: dotted IPv4, compressed lower-case IPv6 (IPv4-mapped IPv6 shown as IPv4). */
    public static String text(InetAddress a) {
        if (a instanceof Inet6Address) {
            return compress(a.getAddress());
        }
        return a.getHostAddress();
    }

    /** Same address, treating an IPv4-mapped IPv6 address as the IPv4 address it carries. */
    public static boolean same(InetAddress a, InetAddress b) {
        return Arrays.equals(unmapped(a).getAddress(), unmapped(b).getAddress());
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address; anything else unchanged. */
    public static InetAddress unmapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return a;
    }

    /**
     * Which private range holds the address, if any: loopback (and the unspecified address, which connects to
     * it), RFC 1918, link-local (the cloud metadata address 169.254.169.254 among them), CGNAT 100.64.0.0/10,
     * IPv6 unique-local fc00::/7 and link-local fe80::/10. No other address is private.
     */
    public static Optional<String> privateRange(InetAddress address) {
        InetAddress a = unmapped(address);
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int o0 = b[0] & 0xff, o1 = b[1] & 0xff;
            if (o0 == 127) {
                return Optional.of("loopback (127.0.0.0/8)");
            }
            if (o0 == 0) {
                return Optional.of("this host (0.0.0.0/8, reaches loopback)");
            }
            if (o0 == 10) {
                return Optional.of("private (10.0.0.0/8, RFC 1918)");
            }
            if (o0 == 172 && (o1 & 0xf0) == 16) {
                return Optional.of("private (172.16.0.0/12, RFC 1918)");
            }
            if (o0 == 192 && o1 == 168) {
                return Optional.of("private (192.168.0.0/16, RFC 1918)");
            }
            if (o0 == 169 && o1 == 254) {
                return Optional.of("link-local (169.254.0.0/16, cloud metadata among them)");
            }
            if (o0 == 100 && (o1 & 0xc0) == 64) {
                return Optional.of("carrier-grade NAT (100.64.0.0/10)");
            }
            return Optional.empty();
        }
        boolean zeroPrefix = true;
        for (int i = 0; i < 15; i++) {
            zeroPrefix &= b[i] == 0;
        }
        if (zeroPrefix && (b[15] == 1 || b[15] == 0)) {
            return Optional.of(b[15] == 1 ? "loopback (::1)" : "unspecified (::, reaches loopback)");
        }
        int h0 = b[0] & 0xff, h1 = b[1] & 0xff;
        if ((h0 & 0xfe) == 0xfc) {
            return Optional.of("IPv6 unique-local (fc00::/7)");
        }
        if (h0 == 0xfe && (h1 & 0xc0) == 0x80) {
            return Optional.of("IPv6 link-local (fe80::/10)");
        }
        return Optional.empty();
    }

    private static String compress(byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(words[i]));
        }
        return s.toString();
    }
}
