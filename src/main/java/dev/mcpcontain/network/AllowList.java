package dev.mcpcontain.network;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The outbound allow-list of one server and every decision made on it. A destination is either a host name (from
 * CONNECT, SOCKS5h, a Host header, or the name the sandbox's DNS stub handed out) or an address literal (a client
 * that connected by IP). Names match NAME and WILDCARD entries; addresses match only ADDRESS entries, so reaching
 * an IP that no allowed name led to needs that IP listed. After a name is allowed, each address it resolves to is
 * checked again: a private one is refused unless the entry is that very literal or {@code localhost}.
 *
 * @param entries the parsed entries, in the order given
 */
public record AllowList(List<HostSpec> entries) {

    public AllowList {
        entries = List.copyOf(entries);
    }

    public static AllowList parse(List<String> specs) {
        List<HostSpec> parsed = new ArrayList<>();
        for (String s : specs) {
            HostSpec h = HostSpec.parse(s);
            if (!parsed.contains(h)) {
                parsed.add(h);
            }
        }
        return new AllowList(parsed);
    }

    /** Every port some entry allows, sorted: the sandbox listens on these for clients that ignore proxies. */
    public List<Integer> ports() {
        TreeSet<Integer> ports = new TreeSet<>();
        entries.forEach(e -> ports.addAll(e.ports()));
        return List.copyOf(ports);
    }

    /** A destination as a client named it: an address literal or a normalised host name. */
    public record Target(String host, Optional<InetAddress> literal, int port) {

        /** Parses the host part of CONNECT, SOCKS5 or a Host header; brackets around IPv6 are accepted. */
        public static Target of(String host, int port) {
            String h = host.strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            Optional<InetAddress> literal = Addresses.parseLiteral(h);
            if (literal.isPresent()) {
                return new Target(Addresses.text(literal.get()), literal, port);
            }
            h = h.toLowerCase(Locale.ROOT);
            if (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            return new Target(h, Optional.empty(), port);
        }

        /** host:port, with brackets around an IPv6 literal. */
        public String display() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The outcome of one check: allowed by an entry, or refused with the reason. */
    public record Decision(boolean allowed, Optional<HostSpec> entry, String reason) {
        static Decision allow(HostSpec e) {
            return new Decision(true, Optional.of(e), "allowed by '" + e + "'");
        }

        static Decision refuse(String reason) {
            return new Decision(false, Optional.empty(), reason);
        }
    }

    /** First check, before any resolution: does an entry cover this name or literal on this port? */
    public Decision decide(Target target) {
        if (target.port() < 1 || target.port() > 65535) {
            return Decision.refuse("port " + target.port() + " is out of range");
        }
        if (target.literal().isPresent()) {
            InetAddress a = target.literal().get();
            for (HostSpec e : entries) {
                if (e.matchesAddress(a, target.port())) {
                    return Decision.allow(e);
                }
            }
            return Decision.refuse("address " + target.display() + " is not on the allow-list (an address is"
                    + " reached only when it is listed itself)");
        }
        if (!validName(target.host())) {
            return Decision.refuse("'" + target.host() + "' is not a host name");
        }
        for (HostSpec e : entries) {
            if (e.matchesName(target.host(), target.port())) {
                return Decision.allow(e);
            }
        }
        boolean otherPort = entries.stream().anyMatch(e -> e.kind() != HostSpec.Kind.ADDRESS
                && e.matchesName(target.host(), e.ports().get(0)));
        return Decision.refuse(target.display() + " is not on the allow-list"
                + (otherPort ? " (the host is, on other ports)" : ""));
    }

    /** Whether a DNS name may be handed out by the sandbox's stub: some entry covers it on some port. */
    public boolean coversName(String name) {
        Target t = Target.of(name, 1);
        if (t.literal().isPresent() || !validName(t.host())) {
            return false;
        }
        return entries.stream().anyMatch(e -> e.kind() != HostSpec.Kind.ADDRESS
                && e.ports().stream().anyMatch(p -> e.matchesName(t.host(), p)));
    }

    /**
     * Second check, on each address an allowed destination resolved to: private addresses only for an entry that is
     * that literal itself, or {@code localhost}.
     */
    public static Decision checkResolved(Decision allowed, InetAddress resolved) {
        HostSpec e = allowed.entry().orElseThrow();
        Optional<String> range = Addresses.privateRange(resolved);
        if (range.isEmpty() || e.isLocalhost() || e.kind() == HostSpec.Kind.ADDRESS && e.matchesAddress(resolved,
                e.ports().get(0))) {
            return allowed;
        }
        return Decision.refuse("it resolves to " + Addresses.text(resolved) + ", " + range.get()
                + "; private destinations need their address listed itself (or 'localhost')");
    }

    /** The flag that would allow a refused target, for the refusal line. */
    public static String suggestion(Target target) {
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        return "--allow-host " + (HostSpec.DEFAULT_PORTS.contains(target.port()) && target.literal().isEmpty()
                ? host : host + ":" + target.port());
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return String.join(" ", entries.stream().map(HostSpec::toString).toList());
    }
}
