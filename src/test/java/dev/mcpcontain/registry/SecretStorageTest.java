package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which keyring is tried on which host: pure logic, the same on every build machine. */
class SecretStorageTest {

    @Test
    void linuxUsesTheSecretServiceOnlyWithASessionBus() {
        SecretStorage.Choice bus = SecretStorage.choose("Linux", Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/b"));
        assertEquals(Optional.of(SecretStorage.SECRET_SERVICE), bus.keyringClass());
        assertEquals("Secret Service", bus.keyringName());
        SecretStorage.Choice none = SecretStorage.choose("Linux", Map.of());
        assertEquals(Optional.empty(), none.keyringClass());
        assertTrue(none.noKeyring().contains("DBUS_SESSION_BUS_ADDRESS is not set"), none.noKeyring());
    }

    @Test
    void windowsUsesCredentialManager() {
        SecretStorage.Choice c = SecretStorage.choose("Windows 11", Map.of());
        assertEquals(Optional.of(SecretStorage.CREDENTIAL_MANAGER), c.keyringClass());
        assertEquals("Windows Credential Manager", c.keyringName());
    }

    @Test
    void theFileCanBeForcedAndTheKeyringRequired() {
        SecretStorage.Choice file = SecretStorage.choose("Windows 11", Map.of(SecretStorage.MODE_VARIABLE, "file"));
        assertEquals(Optional.empty(), file.keyringClass());
        assertEquals(SecretStorage.Mode.FILE, file.mode());
        assertEquals(SecretStorage.Mode.KEYRING, SecretStorage.choose("Linux",
                Map.of(SecretStorage.MODE_VARIABLE, "KEYRING")).mode());
        RegistryException bad = assertThrows(RegistryException.class,
                () -> SecretStorage.choose("Linux", Map.of(SecretStorage.MODE_VARIABLE, "vault")));
        assertTrue(bad.getMessage().contains("MCP_CONTAIN_SECRETS=vault"), bad.getMessage());
    }

    @Test
    void otherSystemsHaveNoKeyring() {
        assertEquals(Optional.empty(), SecretStorage.choose("Mac OS X", Map.of()).keyringClass());
    }

    @Test
    void theKeyringClassesExistWithTheConstructorTheFactoryCalls() throws Exception {
        for (String name : new String[] {SecretStorage.SECRET_SERVICE, SecretStorage.CREDENTIAL_MANAGER}) {
            // Not initialised: loading the Windows class must not load JNA's advapi32 here.
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            assertTrue(SecretStore.class.isAssignableFrom(c), name);
            c.getConstructor(dev.mcpcontain.policy.HostEnvironment.class);
        }
    }
}
