package dev.mcpcontain.platform.secretservice;

import dev.mcpcontain.platform.dbus.BusConnection;
import dev.mcpcontain.platform.dbus.DBusException;
import dev.mcpcontain.platform.dbus.ObjectPath;
import dev.mcpcontain.platform.dbus.Variant;
import dev.mcpcontain.registry.RegistryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection to the Secret Service with an open session: the calls {@link SecretServiceStore} makes, each
 * failing with a {@link RegistryException} that says what the service refused. Never shows a prompt: an operation
 * that needs one is dismissed and refused. Closing closes the session and the connection.
 */
final class SecretServiceSession implements AutoCloseable {

    static final String BUS_NAME = "org.freedesktop.secrets";
    static final String SERVICE_PATH = "/org/freedesktop/secrets";
    static final String SERVICE = "org.freedesktop.Secret.Service";
    static final String COLLECTION = "org.freedesktop.Secret.Collection";
    static final String ITEM = "org.freedesktop.Secret.Item";
    static final String PROMPT = "org.freedesktop.Secret.Prompt";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    static final String FORCE_FILE = "set MCP_CONTAIN_SECRETS=file to keep sensitive values in a 0600 file instead";

    private final BusConnection bus;
    private final ObjectPath session;
    /** Null for a {@code plain} session. */
    private final TransportEncryption encryption;

    private SecretServiceSession(BusConnection bus, ObjectPath session, TransportEncryption encryption) {
        this.bus = bus;
        this.session = session;
        this.encryption = encryption;
    }

    /**
     * A session encrypted with {@value TransportEncryption#ALGORITHM}; {@code plain} only where the service does
     * not offer it (NotSupported).
     *
     * @throws DBusException as the bus reports it (ServiceUnknown when there is no Secret Service)
     */
    static SecretServiceSession open(BusConnection bus) {
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
            return new SecretServiceSession(bus, (ObjectPath) opened.get(1), encryption);
        } catch (DBusException e) {
            if (!e.errorName().equals("org.freedesktop.DBus.Error.NotSupported")) {
                throw e;
            }
        }
        List<Object> opened = bus.call(BUS_NAME, SERVICE_PATH, SERVICE, "OpenSession", "sv", "plain",
                new Variant("s", ""));
        return new SecretServiceSession(bus, (ObjectPath) opened.get(1), null);
    }

    String algorithm() {
        return encryption == null ? "plain" : TransportEncryption.ALGORITHM;
    }

    /** The default collection, unlocked (only where the service can unlock it without a prompt). */
    ObjectPath defaultCollection() {
        ObjectPath collection = (ObjectPath) call(SERVICE_PATH, SERVICE, "ReadAlias", "s", "default").get(0);
        if (collection.equals(ObjectPath.ROOT)) {
            throw new RegistryException("the Secret Service has no default collection (keyring): create one in your"
                    + " keyring application (e.g. Seahorse), or " + FORCE_FILE);
        }
        if ((Boolean) property(collection, COLLECTION, "Locked")) {
            List<Object> unlocked = call(SERVICE_PATH, SERVICE, "Unlock", "ao", List.of(collection));
            ObjectPath prompt = (ObjectPath) unlocked.get(1);
            if (!prompt.equals(ObjectPath.ROOT)) {
                dismiss(prompt);
                throw new RegistryException("the Secret Service's default collection is locked, and unlocking it"
                        + " needs a password prompt, which mcp-contain never shows: unlock it first (log in to the"
                        + " desktop session or open your keyring application), then try again; or " + FORCE_FILE);
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

    Map<?, ?> attributes(ObjectPath item) {
        return (Map<?, ?>) property(item, ITEM, "Attributes");
    }

    byte[] secret(ObjectPath item) {
        List<?> secret = (List<?>) call(item.value(), ITEM, "GetSecret", "o", session).get(0);
        byte[] value = (byte[]) secret.get(2);
        return encryption == null ? value : encryption.decrypt((byte[]) secret.get(1), value);
    }

    /** CreateItem with replace=true: an item with the same attributes is replaced. */
    void create(ObjectPath collection, String label, Map<String, String> attributes, byte[] value, String what) {
        Map<String, Variant> properties = new LinkedHashMap<>();
        properties.put(ITEM + ".Label", new Variant("s", label));
        properties.put(ITEM + ".Attributes", new Variant("a{ss}", attributes));
        byte[][] sealed = encryption == null ? new byte[][] {new byte[0], value} : encryption.encrypt(value);
        Object[] secret = {session, sealed[0], sealed[1], "text/plain; charset=utf8"};
        List<Object> created = call(collection.value(), COLLECTION, "CreateItem", "a{sv}(oayays)b", properties,
                secret, true);
        requireNoPrompt((ObjectPath) created.get(1), what);
    }

    void delete(ObjectPath item) {
        requireNoPrompt((ObjectPath) call(item.value(), ITEM, "Delete", "").get(0), "deleting an item");
    }

    private Object property(ObjectPath object, String iface, String name) {
        return ((Variant) call(object.value(), PROPERTIES, "Get", "ss", iface, name).get(0)).value();
    }

    private void requireNoPrompt(ObjectPath prompt, String what) {
        if (!prompt.equals(ObjectPath.ROOT)) {
            dismiss(prompt);
            throw new RegistryException("the Secret Service wants a prompt for " + what + ", which mcp-contain never"
                    + " shows; " + FORCE_FILE);
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
            throw new RegistryException("the Secret Service failed (" + iface + "." + member + "): " + e.getMessage());
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
