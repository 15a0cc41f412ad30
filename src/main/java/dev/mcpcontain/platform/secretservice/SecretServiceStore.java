package dev.mcpcontain.platform.secretservice;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.platform.dbus.BusAddress;
import dev.mcpcontain.platform.dbus.BusConnection;
import dev.mcpcontain.platform.dbus.DBusException;
import dev.mcpcontain.platform.dbus.ObjectPath;
import dev.mcpcontain.platform.dbus.Variant;
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
 * else: the value then crosses the local socket unencrypted, between processes of the same account. A locked collection is unlocked only when the
 * service can do it without a prompt; mcp-contain never shows one.
 */
public final class SecretServiceStore implements SecretStore {

    static final String BUS_NAME = "org.freedesktop.secrets";
    static final String SERVICE_PATH = "/org/freedesktop/secrets";
    static final String SERVICE = "org.freedesktop.Secret.Service";
    static final String COLLECTION = "org.freedesktop.Secret.Collection";
    static final String ITEM = "org.freedesktop.Secret.Item";
    static final String PROMPT = "org.freedesktop.Secret.Prompt";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    static final String APPLICATION = "mcp-contain";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORCE_FILE = "set MCP_CONTAIN_SECRETS=file to keep sensitive values in a 0600 file"
            + " instead";

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
        try (Session s = open()) {
            ObjectPath collection = s.collection();
            Map<String, List<String>> values = new TreeMap<>();
            for (ObjectPath item : s.search(collection, attributes(server, null))) {
                Map<?, ?> attrs = (Map<?, ?>) s.property(item, ITEM, "Attributes");
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
        try (Session s = open()) {
            ObjectPath collection = s.collection();
            for (Map.Entry<String, List<String>> e : secrets.entrySet()) {
                s.store(collection, server, e.getKey(), e.getValue());
            }
            for (ObjectPath item : s.search(collection, attributes(server, null))) {
                Object key = ((Map<?, ?>) s.property(item, ITEM, "Attributes")).get("key");
                if (!secrets.containsKey(key)) {
                    s.delete(item);
                }
            }
        }
    }

    /** The session algorithm this service agrees to (tests). */
    String negotiatedAlgorithm() {
        try (Session s = open()) {
            return s.encryption == null ? "plain" : TransportEncryption.ALGORITHM;
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

    private Session open() {
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
                return openSession(bus);
            } catch (DBusException e) {
                bus.close();
                if (e.errorName().startsWith("org.freedesktop.DBus.Error.ServiceUnknown")
                        || e.errorName().startsWith("org.freedesktop.DBus.Error.NameHasNoOwner")
                        || e.errorName().startsWith("org.freedesktop.DBus.Error.Spawn")
                        || e.errorName().isEmpty()) {
                    throw new Unavailable("no Secret Service (" + BUS_NAME + ") on the session bus: " + e.getMessage());
                }
                throw new RegistryException("the Secret Service refused a session: " + e.getMessage());
            } catch (RuntimeException e) {
                bus.close();
                throw e;
            }
        }
        throw new Unavailable("no Secret Service: " + last.getMessage());
    }

    /**
     * A session encrypted with {@value TransportEncryption#ALGORITHM}; {@code plain} only where the service does
     * not offer it (NotSupported).
     */
    private Session openSession(BusConnection bus) {
        TransportEncryption encryption = new TransportEncryption();
        try {
            List<Object> opened = bus.call(BUS_NAME, SERVICE_PATH, SERVICE, "OpenSession", "sv",
                    TransportEncryption.ALGORITHM, new Variant("ay", encryption.publicKey()));
            Object output = ((Variant) opened.get(0)).value();
            if (!(output instanceof byte[] servicePublic)) {
                throw new RegistryException("the Secret Service answered OpenSession(" + TransportEncryption.ALGORITHM
                        + ") without a public key");
            }
            encryption.agree(servicePublic);
            return new Session(bus, (ObjectPath) opened.get(1), encryption);
        } catch (DBusException e) {
            if (!e.errorName().equals("org.freedesktop.DBus.Error.NotSupported")) {
                throw e;
            }
        }
        List<Object> opened = bus.call(BUS_NAME, SERVICE_PATH, SERVICE, "OpenSession", "sv", "plain",
                new Variant("s", ""));
        return new Session(bus, (ObjectPath) opened.get(1), null);
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

    /** One connection with an open Secret Service session; closing it closes both. */
    private final class Session implements AutoCloseable {

        private final BusConnection bus;
        private final ObjectPath session;
        /** Null for a {@code plain} session. */
        private final TransportEncryption encryption;

        Session(BusConnection bus, ObjectPath session, TransportEncryption encryption) {
            this.bus = bus;
            this.session = session;
            this.encryption = encryption;
        }

        /** The default collection, unlocked. */
        ObjectPath collection() {
            ObjectPath collection = (ObjectPath) call(SERVICE_PATH, SERVICE, "ReadAlias", "s", "default").get(0);
            if (collection.equals(ObjectPath.ROOT)) {
                throw new RegistryException("the Secret Service has no default collection (keyring): create one in"
                        + " your keyring application (e.g. Seahorse), or " + FORCE_FILE);
            }
            if ((Boolean) property(collection, COLLECTION, "Locked")) {
                List<Object> unlocked = call(SERVICE_PATH, SERVICE, "Unlock", "ao", List.of(collection));
                ObjectPath prompt = (ObjectPath) unlocked.get(1);
                if (!prompt.equals(ObjectPath.ROOT)) {
                    dismiss(prompt);
                    throw new RegistryException("the Secret Service's default collection is locked, and unlocking it"
                            + " needs a password prompt, which mcp-contain never shows: unlock it first (log in to"
                            + " the desktop session or open your keyring application), then try again; or "
                            + FORCE_FILE);
                }
            }
            return collection;
        }

        List<ObjectPath> search(ObjectPath collection, Map<String, String> attributes) {
            @SuppressWarnings("unchecked")
            List<ObjectPath> found = (List<ObjectPath>) call(collection.value(), COLLECTION, "SearchItems", "a{ss}",
                    attributes).get(0);
            return found;
        }

        Object property(ObjectPath object, String iface, String name) {
            return ((Variant) call(object.value(), PROPERTIES, "Get", "ss", iface, name).get(0)).value();
        }

        byte[] secret(ObjectPath item) {
            List<?> secret = (List<?>) call(item.value(), ITEM, "GetSecret", "o", session).get(0);
            byte[] value = (byte[]) secret.get(2);
            return encryption == null ? value : encryption.decrypt((byte[]) secret.get(1), value);
        }

        void store(ObjectPath collection, String server, String key, List<String> values) {
            Map<String, String> attrs = attributes(server, key);
            byte[] value;
            if (values.size() == 1) {
                attrs.put("format", "text");
                value = values.get(0).getBytes(StandardCharsets.UTF_8);
            } else {
                attrs.put("format", "json");
                try {
                    value = JSON.writeValueAsBytes(values);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            Map<String, Variant> properties = new LinkedHashMap<>();
            properties.put(ITEM + ".Label", new Variant("s", "mcp-contain " + server + ": " + key));
            properties.put(ITEM + ".Attributes", new Variant("a{ss}", attrs));
            byte[][] sealed = encryption == null ? new byte[][] {new byte[0], value} : encryption.encrypt(value);
            Object[] secret = {session, sealed[0], sealed[1], "text/plain; charset=utf8"};
            List<Object> created = call(collection.value(), COLLECTION, "CreateItem", "a{sv}(oayays)b", properties,
                    secret, true);
            requireNoPrompt((ObjectPath) created.get(1), "storing " + key + " of '" + server + "'");
        }

        void delete(ObjectPath item) {
            requireNoPrompt((ObjectPath) call(item.value(), ITEM, "Delete", "").get(0), "deleting an item");
        }

        private void requireNoPrompt(ObjectPath prompt, String what) {
            if (!prompt.equals(ObjectPath.ROOT)) {
                dismiss(prompt);
                throw new RegistryException("the Secret Service wants a prompt for " + what + ", which mcp-contain"
                        + " never shows; " + FORCE_FILE);
            }
        }

        private void dismiss(ObjectPath prompt) {
            try {
                bus.call(BUS_NAME, prompt.value(), PROMPT, "Dismiss", "");
            } catch (DBusException ignored) {
                // the prompt is abandoned either way: the refusal that follows is what matters
            }
        }

        private List<Object> call(String path, String iface, String member, String signature, Object... args) {
            try {
                return bus.call(BUS_NAME, path, iface, member, signature, args);
            } catch (DBusException e) {
                throw new RegistryException("the Secret Service failed (" + iface + "." + member + "): "
                        + e.getMessage());
            }
        }

        @Override
        public void close() {
            try {
                bus.call(BUS_NAME, session.value(), "org.freedesktop.Secret.Session", "Close", "");
            } catch (DBusException ignored) {
                // closing the connection ends the session too
            }
            bus.close();
        }
    }
}
