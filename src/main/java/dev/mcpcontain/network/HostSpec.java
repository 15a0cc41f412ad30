package dev.mcpcontain.network;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One entry of an outbound allow-list, as written after {@code --allow-host} or in a profile's
 * {@code "network": {"allow": [...]}}:
 * <ul>
 *   <li>{@code host} (a DNS name, or {@code localhost});</li>
 *   <li>{@code *.domain}: subdomains of domain at any depth, never the apex itself;</li>
 *   <li>{@code host:port};</li>
 *   <li>an IPv4 or IPv6 literal, a v6 one bracketed when a port follows: {@code 203.0.113.7},
 *       {@code [::1]:8080}.</li>
 * </ul>
 * Without a port an entry means ports 80 and 443. Parsing is strict: anything a resolver might read in two ways
 * (octal or hexadecimal IPv4 parts, all-numeric names, URLs) is refused with a message saying what to write.
 */
public final class HostSpec {

    /** Ports an entry without a port covers. */
    public static final List<Integer> DEFAULT_PORTS = List.of(80, 443);

    public enum Kind { NAME, WILDCARD, ADDRESS }

    private final Kind kind;
    private final String host;
    private final InetAddress address;
    private final List<Integer> ports;

    private HostSpec(Kind kind, String host, InetAddress address, List<Integer> ports) {
        this.kind = kind;
        this.host = host;
        this.address = address;
        this.ports = ports;
    }

    /** @throws IllegalArgumentException naming the entry and what is wrong with it */
    public static HostSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(String.valueOf(text), "empty entry");
        }
        String s = text.strip();
        if (s.contains("://") || s.contains("/")) {
            throw bad(s, "write a host, not a URL (for example api.github.com or api.github.com:8443)");
        }
        String hostPart = s;
        Integer port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw bad(s, "missing ']' after the IPv6 address");
            }
            hostPart = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(s, "expected ':PORT' after ']'");
                }
                port = port(s, rest.substring(1));
            }
            InetAddress v6 = Addresses.parseLiteral(hostPart)
                    .filter(a -> a instanceof java.net.Inet6Address)
                    .orElseThrow(() -> bad(s, "'" + text.strip() + "' does not hold an IPv6 address in brackets"));
            return new HostSpec(Kind.ADDRESS, Addresses.text(v6), v6, ports(port));
        }
        long colons = s.chars().filter(c -> c == ':').count();
        if (colons > 1) {
            InetAddress v6 = Addresses.parseLiteral(s).orElseThrow(() -> bad(s,
                    "not an IPv6 address; a v6 address with a port is written [ADDRESS]:PORT"));
            return new HostSpec(Kind.ADDRESS, Addresses.text(v6), v6, DEFAULT_PORTS);
        }
        if (colons == 1) {
            int colon = s.indexOf(':');
            hostPart = s.substring(0, colon);
            port = port(s, s.substring(colon + 1));
        }
        Optional<InetAddress> v4 = Addresses.parseLiteral(hostPart);
        if (v4.isPresent()) {
            return new HostSpec(Kind.ADDRESS, Addresses.text(v4.get()), v4.get(), ports(port));
        }
        String name = hostPart.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("*.")) {
            String domain = name.substring(2);
            checkName(s, domain);
            if (domain.indexOf('.') < 0) {
                throw bad(s, "'*." + domain + "' would allow a whole top-level domain; name the domain, such as *.example."
                        + domain);
            }
            return new HostSpec(Kind.WILDCARD, domain, null, ports(port));
        }
        if (name.contains("*")) {
            throw bad(s, "'*' is only allowed as the whole first label: *.example.com");
        }
        checkName(s, name);
        return new HostSpec(Kind.NAME, name, null, ports(port));
    }

    private static void checkName(String entry, String name) {
        if (name.isEmpty() || name.length() > 253) {
            throw bad(entry, "not a host name");
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                throw bad(entry, "'" + name + "' is not a host name (letters, digits, '-' and '.'; non-ASCII names"
                        + " in their xn-- form)");
            }
        }
        if (labels[labels.length - 1].matches("[0-9]+|0x[0-9a-f]*")) {
            throw bad(entry, "'" + name + "' looks like a numeric address but is not a plain dotted IPv4 address;"
                    + " write it as four decimal numbers, such as 203.0.113.7");
        }
    }

    private static Integer port(String entry, String text) {
        if (!text.matches("[0-9]{1,5}")) {
            throw bad(entry, "'" + text + "' is not a port number");
        }
        int p = Integer.parseInt(text);
        if (p < 1 || p > 65535) {
            throw bad(entry, "port " + p + " is out of range (1-65535)");
        }
        return p;
    }

    private static List<Integer> ports(Integer port) {
        return port == null ? DEFAULT_PORTS : List.of(port);
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("'" + entry + "': " + why);
    }

    public Kind kind() {
        return kind;
    }

    /** The name (lower case, no trailing dot), the wildcard's domain, or the address's canonical text. */
    public String host() {
        return host;
    }

    public Optional<InetAddress> address() {
        return Optional.ofNullable(address);
    }

    public List<Integer> ports() {
        return ports;
    }

    /** Whether this entry is the name {@code localhost}, which may reach the host's loopback. */
    public boolean isLocalhost() {
        return kind == Kind.NAME && host.equals("localhost");
    }

    /** Whether a connection to the name (already normalised: lower case, no trailing dot) and port matches. */
    public boolean matchesName(String name, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        return switch (kind) {
            case NAME -> host.equals(name);
            case WILDCARD -> name.length() > host.length() + 1 && name.endsWith("." + host);
            case ADDRESS -> false;
        };
    }

    /** Whether a connection to the address literal and port matches. */
    public boolean matchesAddress(InetAddress target, int port) {
        return kind == Kind.ADDRESS && ports.contains(port) && Addresses.same(address, target);
    }

    /** The canonical text, parseable again: {@code name}, {@code *.domain}, {@code host:port}, {@code [v6]:port}. */
    @Override
    public String toString() {
        String h = kind == Kind.WILDCARD ? "*." + host
                : kind == Kind.ADDRESS && host.contains(":") && ports != DEFAULT_PORTS ? "[" + host + "]" : host;
        return ports == DEFAULT_PORTS ? h : h + ":" + ports.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostSpec other && other.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
