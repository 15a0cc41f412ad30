package dev.mcpcontain.platform.secretservice;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.platform.dbus.BusAddress;
import dev.mcpcontain.platform.dbus.BusConnection;
import dev.mcpcontain.platform.dbus.DBusException;
import dev.mcpcontain.platform.dbus.ObjectPath;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.SecretStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sensitive values in the freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet's bridge), over the
 * session bus: one item per server and key in the default collection, found by the attributes
 * {@code application=mcp-contain}, {@code server=NAME}, {@code key=KEY} and {@code registry=DIR} (so that a
 * throwaway state folder never overwrites the real registry's values). A single value is stored as its text, so
 * {@code secret-tool lookup application mcp-contain server NAME key KEY} prints it; several values (an array
 * option) as a JSON array, marked {@code format=json}.
 *
 * <p>The session is encrypted ({@link TransportEncryption}), or {@code plain} where the service offers nothing
 * else: the value then crosses the local socket unencrypted, between processes of the same account. A locked
 * collection is unlocked only when the service can do it without a prompt; mcp-contain never shows one.
 */
public final class SecretServiceStore implements SecretStore {

    static final String APPLICATION = "mcp-contain";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String busAddress;
    private final int uid;
    private final String registry;

    public SecretServiceStore(HostEnvironment host) {
        this(host.variable("DBUS_SESSION_BUS_ADDRESS").orElse(""), host.uid(),
                host.dataDirectory().resolve("registry").toAbsolutePath().toString());
    }

    SecretServiceStore(String busAddress, int uid, String registry) {
        this.busAddress = busAddress;
        this.uid = uid;
        this.registry = registry;
    }

    @Override
    public String where() {
        return "the Secret Service (default collection)";
    }

    @Override
    public Map<String, List<String>> read(String server) {
        try (SecretServiceSession s = open()) {
            ObjectPath collection = s.defaultCollection();
            Map<String, List<String>> values = new TreeMap<>();
            for (ObjectPath item : s.search(collection, attributes(server, null))) {
                Map<?, ?> attrs = s.attributes(item);
                Object key = attrs.get("key");
                if (key != null) {
                    values.put((String) key, decode(attrs.get("format"), s.secret(item)));
                }
            }
            return values;
        }
    }

    @Override
    public void replace(String server, Map<String, List<String>> secrets) {
        try (SecretServiceSession s = open()) {
            ObjectPath collection = s.defaultCollection();
            for (Map.Entry<String, List<String>> e : secrets.entrySet()) {
                String key = e.getKey();
                Map<String, String> attrs = attributes(server, key);
                byte[] value = encode(e.getValue(), attrs);
                s.create(collection, "mcp-contain " + server + ": " + key, attrs, value,
                        "storing " + key + " of '" + server + "'");
            }
            for (ObjectPath item : s.search(collection, attributes(server, null))) {
                if (!secrets.containsKey(s.attributes(item).get("key"))) {
                    s.delete(item);
                }
            }
        }
    }

    /** The session algorithm this service agrees to (tests). */
    String negotiatedAlgorithm() {
        try (SecretServiceSession s = open()) {
            return s.algorithm();
        }
    }

    Map<String, String> attributes(String server, String key) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("application", APPLICATION);
        attrs.put("registry", registry);
        attrs.put("server", server);
        if (key != null) {
            attrs.put("key", key);
        }
        return attrs;
    }

    /**
     * A session on the first socket of the address that accepts us.
     *
     * @throws Unavailable when no socket can be used or nothing provides the Secret Service there
     */
    private SecretServiceSession open() {
        StringBuilder why = new StringBuilder();
        List<Path> sockets = BusAddress.socketPaths(busAddress, why);
        if (sockets.isEmpty()) {
            throw new Unavailable("no Secret Service: DBUS_SESSION_BUS_ADDRESS=" + busAddress + " has no usable"
                    + " socket (" + why.toString().replaceAll("; $", "") + ")");
        }
        DBusException last = null;
        for (Path socket : sockets) {
            BusConnection bus;
            try {
                bus = BusConnection.open(socket, uid, TIMEOUT);
            } catch (DBusException e) {
                last = e;
                continue;
            }
            try {
                return SecretServiceSession.open(bus);
            } catch (DBusException e) {
                bus.close();
                if (e.errorName().startsWith("org.freedesktop.DBus.Error.ServiceUnknown")
                        || e.errorName().startsWith("org.freedesktop.DBus.Error.NameHasNoOwner")
                        || e.errorName().startsWith("org.freedesktop.DBus.Error.Spawn")
                        || e.errorName().isEmpty()) {
                    throw new Unavailable("no Secret Service (" + SecretServiceSession.BUS_NAME + ") on the session"
                            + " bus: " + e.getMessage());
                }
                throw new RegistryException("the Secret Service refused a session: " + e.getMessage());
            } catch (RuntimeException e) {
                bus.close();
                throw e;
            }
        }
        throw new Unavailable("no Secret Service: " + last.getMessage());
    }

    /** One value as its text ({@code format=text}), several as a JSON array ({@code format=json}). */
    private static byte[] encode(List<String> values, Map<String, String> attrs) {
        if (values.size() == 1) {
            attrs.put("format", "text");
            return values.get(0).getBytes(StandardCharsets.UTF_8);
        }
        attrs.put("format", "json");
        try {
            return JSON.writeValueAsBytes(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> decode(Object format, byte[] secret) {
        String text = new String(secret, StandardCharsets.UTF_8);
        if ("json".equals(format)) {
            try {
                return JSON.readValue(text, new TypeReference<List<String>>() {});
            } catch (IOException e) {
                throw new RegistryException("a Secret Service item of mcp-contain is not a JSON list of strings");
            }
        }
        return List.of(text);
    }
}
