package dev.mcpcontain.platform.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.testing.PrivateSecretService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real dbus-daemon (a private bus the test starts and stops). */
class BusConnectionTest {

    @TempDir
    Path temp;

    private static int uid() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    @Test
    void authenticatesCallsAndReportsErrorNames() throws Exception {
        try (PrivateSecretService bus = PrivateSecretService.busOnly(temp.resolve("bus"))) {
            Path socket = BusAddress.socketPaths(bus.address(), new StringBuilder()).get(0);
            try (BusConnection c = BusConnection.open(socket, uid(), Duration.ofSeconds(5))) {
                List<Object> names = c.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                        "ListNames", "");
                assertTrue(((List<?>) names.get(0)).contains("org.freedesktop.DBus"), names.toString());
                assertEquals(List.of(false), c.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "NameHasOwner", "s", "org.freedesktop.secrets"));
                DBusException e = assertThrows(DBusException.class, () -> c.call("org.freedesktop.secrets",
                        "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "ReadAlias", "s", "default"));
                assertEquals("org.freedesktop.DBus.Error.ServiceUnknown", e.errorName());
            }
            // Another uid is refused by the session bus's EXTERNAL check.
            DBusException refused = assertThrows(DBusException.class,
                    () -> BusConnection.open(socket, uid() + 4242, Duration.ofSeconds(5)));
            assertTrue(refused.getMessage().contains("refused EXTERNAL authentication")
                    || refused.getMessage().contains("closed"), refused.getMessage());
        }
    }
}
