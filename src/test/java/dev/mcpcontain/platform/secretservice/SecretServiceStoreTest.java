package dev.mcpcontain.platform.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.registry.SecretStore;
import dev.mcpcontain.testing.PrivateSecretService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against a real gnome-keyring-daemon on a private bus, read back by libsecret's secret-tool. */
class SecretServiceStoreTest {

    @TempDir
    Path temp;

    private static int uid() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    @Test
    void encryptedSessionStoresReplacesAndDeletes() throws Exception {
        try (PrivateSecretService keyring = PrivateSecretService.start(temp.resolve("keyring"))) {
            SecretServiceStore store = new SecretServiceStore(keyring.address(), uid(), "/reg/one");
            assertEquals(TransportEncryption.ALGORITHM, store.negotiatedAlgorithm());
            store.replace("srv", Map.of("a", List.of("alpha ünï"), "b", List.of("x", "y")));
            assertEquals(Map.of("a", List.of("alpha ünï"), "b", List.of("x", "y")), store.read("srv"));
            assertEquals("alpha ünï", keyring.secretTool("lookup", "application", "mcp-contain", "registry",
                    "/reg/one", "server", "srv", "key", "a").out());
            assertEquals("[\"x\",\"y\"]", keyring.secretTool("lookup", "server", "srv", "key", "b").out());

            // Another registry's items are its own.
            SecretServiceStore other = new SecretServiceStore(keyring.address(), uid(), "/reg/two");
            assertEquals(Map.of(), other.read("srv"));
            other.replace("srv", Map.of("a", List.of("other")));

            store.replace("srv", Map.of("a", List.of("second")));
            assertEquals(Map.of("a", List.of("second")), store.read("srv"));
            store.replace("srv", Map.of());
            assertEquals(Map.of(), store.read("srv"));
            assertEquals(Map.of("a", List.of("other")), other.read("srv"));
        }
    }

    @Test
    void noServiceAndNoSocketAreUnavailableNotErrors() throws Exception {
        try (PrivateSecretService bus = PrivateSecretService.busOnly(temp.resolve("bus"))) {
            SecretStore.Unavailable e = assertThrows(SecretStore.Unavailable.class,
                    () -> new SecretServiceStore(bus.address(), uid(), "/reg").read("srv"));
            assertTrue(e.getMessage().contains("ServiceUnknown"), e.getMessage());
        }
        SecretStore.Unavailable gone = assertThrows(SecretStore.Unavailable.class,
                () -> new SecretServiceStore("unix:path=" + temp.resolve("nothing"), uid(), "/reg").read("srv"));
        assertTrue(gone.getMessage().contains("cannot connect"), gone.getMessage());
        SecretStore.Unavailable abs = assertThrows(SecretStore.Unavailable.class,
                () -> new SecretServiceStore("unix:abstract=/tmp/x", uid(), "/reg").read("srv"));
        assertTrue(abs.getMessage().contains("abstract"), abs.getMessage());
    }
}
