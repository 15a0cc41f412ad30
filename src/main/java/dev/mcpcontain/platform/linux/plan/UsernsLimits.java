package dev.mcpcontain.platform.linux.plan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The per-user kernel counters a server may use, set in {@code /proc/sys/user} of the server's own user namespace.
 * The kernel charges each counter to the uid at every level up to the host, so these bound what one server takes
 * from its uid's host-wide budget: the user's desktop (user launcher) and the other servers (shared agent account)
 * keep the rest.
 *
 * <p>inotify and fanotify get a share well below the host's limit; namespaces none at all (seccomp already refuses
 * to create them: this is the second lock).
 */
public final class UsernsLimits {

    /** Counter, the most a server gets: never more than half the host's own limit for the same counter. */
    static final Map<String, Long> CAPS = caps();

    private UsernsLimits() {}

    private static Map<String, Long> caps() {
        Map<String, Long> caps = new LinkedHashMap<>();
        caps.put("max_inotify_instances", 32L);
        caps.put("max_inotify_watches", 16384L);
        caps.put("max_fanotify_groups", 0L);
        caps.put("max_fanotify_marks", 0L);
        for (String ns : new String[] {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time"}) {
            caps.put("max_" + ns + "_namespaces", 0L);
        }
        return java.util.Collections.unmodifiableMap(caps);
    }

    /** The limits for a host whose own values HOST reports (empty: the counter does not exist there). */
    public static Map<String, Long> forHost(Function<String, Optional<Long>> host) {
        Map<String, Long> limits = new LinkedHashMap<>();
        for (Map.Entry<String, Long> cap : CAPS.entrySet()) {
            Optional<Long> hostValue = host.apply(cap.getKey());
            if (hostValue.isEmpty()) {
                continue;
            }
            limits.put(cap.getKey(), Math.min(cap.getValue(), hostValue.get() / 2));
        }
        return limits;
    }

    /** This host's values, from {@code /proc/sys/user} (the initial user namespace when read by the launcher). */
    public static Map<String, Long> forThisHost() {
        return forHost(new Function<String, Optional<Long>>() {  // a class, not a lambda: read on every launch
            @Override
            public Optional<Long> apply(String name) {
                return readSysctl(name);
            }
        });
    }

    private static Optional<Long> readSysctl(String name) {
        // One read with room to spare: a sysctl answers a read at a non-zero offset with EOF, so a reader that
        // starts with a small buffer (Files.readString on a file that says it is empty) sees only "1" of "128".
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/user", name))) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return Optional.of(Long.parseLong(new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
