package dev.mcpcontain.launch;

import dev.mcpcontain.policy.HostEnvironment;
import java.lang.reflect.InvocationTargetException;

/**
 * Picks the backend for this operating system once. Platform classes are loaded by name so that the Windows
 * bindings never load on Linux and the reverse.
 */
public final class Backends {

    private Backends() {}

    public static ContainmentBackend forHost(HostEnvironment host) {
        String os = System.getProperty("os.name", "");
        String className;
        if (os.startsWith("Linux")) {
            className = "dev.mcpcontain.platform.linux.LinuxBackend";
        } else if (os.startsWith("Windows")) {
            className = "dev.mcpcontain.platform.windows.WindowsBackend";
        } else {
            throw new ContainmentException(ContainmentException.Reason.UNSUPPORTED_PLATFORM,
                    "no containment backend for " + os + " (supported: Linux, Windows)");
        }
        try {
            return (ContainmentBackend) Class.forName(className).getConstructor(HostEnvironment.class).newInstance(host);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ContainmentException(ContainmentException.Reason.UNSUPPORTED_PLATFORM,
                    "cannot load the " + os + " backend: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ContainmentException(ContainmentException.Reason.UNSUPPORTED_PLATFORM,
                    "cannot load the " + os + " backend: " + e, e);
        }
    }
}
