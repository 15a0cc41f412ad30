package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's secrets behind a keyring, with an in-memory keyring standing in for the Secret Service (the real
 * one is exercised by KeyringSecretsIT): where values go, the fallback, the refusal, deletion.
 */
class KeyringRegistryTest {

    @TempDir
    Path temp;

    /** A keyring in memory; {@code unavailable} makes it behave as "no service on the bus". */
    static final class MemoryKeyring implements SecretStore {
        final Map<String, Map<String, List<String>>> held = new HashMap<>();
        String unavailable;

        @Override
        public String where() {
            return "the memory keyring";
        }

        @Override
        public Map<String, List<String>> read(String server) {
            check();
            return held.getOrDefault(server, Map.of());
        }

        @Override
        public void replace(String server, Map<String, List<String>> secrets) {
            check();
            held.put(server, new TreeMap<>(secrets));
            if (secrets.isEmpty()) {
                held.remove(server);
            }
        }

        private void check() {
            if (unavailable != null) {
                throw new Unavailable(unavailable);
            }
        }
    }

    private final MemoryKeyring keyring = new MemoryKeyring();
    private final AtomicInteger made = new AtomicInteger();

    private RegistryStore store(SecretStorage.Mode mode) throws Exception {
        int uid = (Integer) Files.getAttribute(temp, "unix:uid");
        return new RegistryStore(temp.resolve("registry"), uid, new SecretStorage.Choice(mode,
                Optional.of(SecretStorage.SECRET_SERVICE), ""), () -> {
                    made.incrementAndGet();
                    return Optional.of(keyring);
                });
    }

    private static ServerEntry entry(String name, List<String> secretKeys) {
        return new ServerEntry(name, "manifest", "/m.json", List.of(), "/m.json", "/b", "ab", false, "default",
                List.of(), List.of(), List.of(), Map.of(), secretKeys, "t0", "t0");
    }

    @Test
    void valuesGoToTheKeyringAndNoFileIsLeft() throws Exception {
        RegistryStore store = store(SecretStorage.Mode.AUTO);
        Files.createDirectories(store.serverDirectory("s"));
        Files.writeString(store.secretsFile("s"), "{\"api_key\":[\"old\"]}");
        RegistryStore.SavedSecrets saved = store.saveSecrets("s", Map.of("api_key", List.of("sekrit")));
        assertEquals("the memory keyring", saved.where());
        assertEquals(Optional.empty(), saved.warning());
        assertFalse(Files.exists(store.secretsFile("s")), "the file copy is deleted once the keyring holds it");
        store.save(entry("s", List.of("api_key")));
        assertEquals(Map.of("api_key", List.of("sekrit")), store.requireSecrets(store.get("s")));
        assertEquals("OS keyring (Secret Service)", store.secretsLocation("s"));
        // A value left in the keyring under a key the entry does not name never reaches the run.
        keyring.held.get("s").put("stale", List.of("old"));
        assertEquals(Map.of("api_key", List.of("sekrit")), store.requireSecrets(store.get("s")));
    }

    @Test
    void withoutAKeyringTheFileIsUsedWithAWarningNamingItAndWhy() throws Exception {
        keyring.unavailable = "no Secret Service (org.freedesktop.secrets) on the session bus";
        RegistryStore store = store(SecretStorage.Mode.AUTO);
        RegistryStore.SavedSecrets saved = store.saveSecrets("s", Map.of("api_key", List.of("sekrit")));
        String warning = saved.warning().orElseThrow();
        assertTrue(warning.contains(store.secretsFile("s").toString()), warning);
        assertTrue(warning.contains("no Secret Service"), warning);
        assertFalse(warning.contains("sekrit"), warning);
        assertFalse(warning.contains("\n"), "one line");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.secretsFile("s"))));
        store.save(entry("s", List.of("api_key")));
        assertEquals(Map.of("api_key", List.of("sekrit")), store.requireSecrets(store.get("s")));
    }

    @Test
    void keyringModeRefusesTheFile() throws Exception {
        keyring.unavailable = "no Secret Service";
        RegistryStore store = store(SecretStorage.Mode.KEYRING);
        RegistryException e = assertThrows(RegistryException.class,
                () -> store.saveSecrets("s", Map.of("api_key", List.of("sekrit"))));
        assertTrue(e.getMessage().contains("MCP_CONTAIN_SECRETS=keyring"), e.getMessage());
        assertFalse(Files.exists(store.secretsFile("s")));
    }

    @Test
    void aMissingValueIsRefusedNamingConfigure() throws Exception {
        RegistryStore store = store(SecretStorage.Mode.AUTO);
        store.save(entry("s", List.of("api_key")));
        RegistryException e = assertThrows(RegistryException.class, () -> store.requireSecrets(store.get("s")));
        assertTrue(e.getMessage().contains("mcp-contain configure s --user-config api_key=-"), e.getMessage());
        assertTrue(e.getMessage().contains("the memory keyring"), e.getMessage());
        keyring.unavailable = "no Secret Service";
        e = assertThrows(RegistryException.class, () -> store.requireSecrets(store.get("s")));
        assertTrue(e.getMessage().contains("(no Secret Service)"), e.getMessage());
    }

    @Test
    void aServerWithoutSecretsNeverTouchesTheKeyring() throws Exception {
        RegistryStore store = store(SecretStorage.Mode.AUTO);
        store.save(entry("plain", List.of()));
        store.saveSecrets("plain", Map.of());
        assertEquals(Map.of(), store.requireSecrets(store.get("plain")));
        store.remove("plain");
        assertEquals(0, made.get(), "no keyring was made");
    }

    @Test
    void removeDeletesTheKeyringValuesAndWarnsWhenItCannot() throws Exception {
        RegistryStore store = store(SecretStorage.Mode.AUTO);
        store.saveSecrets("s", Map.of("api_key", List.of("sekrit")));
        store.save(entry("s", List.of("api_key")));
        assertEquals(List.of(), store.remove("s"));
        assertTrue(keyring.held.isEmpty(), keyring.held.toString());

        store.saveSecrets("t", Map.of("api_key", List.of("sekrit")));
        store.save(entry("t", List.of("api_key")));
        keyring.unavailable = "no Secret Service";
        List<String> warnings = store.remove("t");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("the memory keyring"), warnings.get(0));
        assertFalse(store.exists("t"));
    }
}
