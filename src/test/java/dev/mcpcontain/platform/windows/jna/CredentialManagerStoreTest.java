package dev.mcpcontain.platform.windows.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcpcontain.policy.HostEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The real Credential Manager (Windows only): write, read back, replace, delete. */
@EnabledOnOs(OS.WINDOWS)
class CredentialManagerStoreTest {

    @TempDir
    Path temp;

    @Test
    void storesReplacesAndDeletes() {
        HostEnvironment host = HostEnvironment.current().withStateDirectory(temp);
        // withStateDirectory is ignored on Windows: a unique server name keeps this test's entries apart.
        String server = "test-" + UUID.randomUUID().toString().substring(0, 8);
        CredentialManagerStore store = new CredentialManagerStore(host);
        try {
            store.replace(server, Map.of("a", List.of("one"), "b", List.of("x", "y")));
            assertEquals(Map.of("a", List.of("one"), "b", List.of("x", "y")), store.read(server));
            store.replace(server, Map.of("a", List.of("two")));
            assertEquals(Map.of("a", List.of("two")), store.read(server));
        } finally {
            store.replace(server, Map.of());
        }
        assertEquals(Map.of(), store.read(server));
    }
}
