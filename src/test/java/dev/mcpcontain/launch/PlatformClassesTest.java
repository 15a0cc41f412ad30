package dev.mcpcontain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.KnownFolderResolver;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each name in the one place platform classes are loaded by must still name a class of the expected kind. */
class PlatformClassesTest {

    private static Class<?> load(String name) throws ClassNotFoundException {
        return Class.forName(name, false, PlatformClassesTest.class.getClassLoader());  // not initialised: no JNA
    }

    @Test
    void everyNameStillNamesItsClass() throws Exception {
        assertTrue(ContainmentBackend.class.isAssignableFrom(load(PlatformClasses.LINUX_BACKEND)));
        assertTrue(ContainmentBackend.class.isAssignableFrom(load(PlatformClasses.WINDOWS_BACKEND)));
        load(PlatformClasses.LINUX_BACKEND).getConstructor(HostEnvironment.class, int.class);
        load(PlatformClasses.WINDOWS_BACKEND).getConstructor(HostEnvironment.class);
        assertTrue(KnownFolderResolver.class.isAssignableFrom(load(PlatformClasses.WINDOWS_KNOWN_FOLDERS)));
        assertEquals("Win32", load(PlatformClasses.WINDOWS_BINDINGS).getInterfaces()[0].getSimpleName());
        assertEquals("AccountAdmin", load(PlatformClasses.WINDOWS_ACCOUNT_ADMIN).getInterfaces()[0].getSimpleName());
        assertEquals("BrokerWin32", load(PlatformClasses.WINDOWS_BROKER_BINDINGS).getInterfaces()[0].getSimpleName());
        assertEquals("BrokerClientWin32", load(PlatformClasses.WINDOWS_BROKER_CLIENT).getInterfaces()[0].getSimpleName());
    }

    @Test
    void aClassOfTheWrongKindIsRefusedByName() {
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> PlatformClasses.create("java.lang.StringBuilder", Map.class));
        assertEquals(ContainmentException.Reason.UNSUPPORTED_PLATFORM, e.reason());
        assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
    }
}
