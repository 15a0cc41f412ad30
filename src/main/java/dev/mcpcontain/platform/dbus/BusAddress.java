package dev.mcpcontain.platform.dbus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The unix-socket paths in a D-Bus address such as {@code DBUS_SESSION_BUS_ADDRESS}
 * ({@code unix:path=/run/user/1000/bus}; several addresses are separated by {@code ;}). Abstract sockets
 * ({@code unix:abstract=...}) and TCP are not supported: Java cannot open the former, and the latter is not where a
 * keyring belongs.
 */
public final class BusAddress {

    private BusAddress() {}

    /** The socket paths in order, or empty with {@code why} explaining when there is none this client can use. */
    public static List<Path> socketPaths(String address, StringBuilder why) {
        List<Path> paths = new ArrayList<>();
        for (String one : address.split(";")) {
            if (one.isBlank()) {
                continue;
            }
            int colon = one.indexOf(':');
            String transport = colon < 0 ? one : one.substring(0, colon);
            if (!transport.equals("unix")) {
                why.append("transport '").append(transport).append("' is not supported; ");
                continue;
            }
            Optional<String> path = key(one.substring(colon + 1), "path");
            if (path.isPresent()) {
                paths.add(Path.of(unescape(path.get())));
            } else {
                why.append("'").append(one).append("' names no socket path (abstract sockets are not supported); ");
            }
        }
        return paths;
    }

    private static Optional<String> key(String pairs, String wanted) {
        for (String pair : pairs.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(wanted)) {
                return Optional.of(pair.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    /** Values escape bytes as %XX. */
    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
