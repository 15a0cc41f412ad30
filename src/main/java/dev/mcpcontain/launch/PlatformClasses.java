package dev.mcpcontain.launch;

import dev.mcpcontain.launch.ContainmentException.Reason;
import java.lang.reflect.InvocationTargetException;

/**
 * The one place platform classes are loaded by name, so that the Windows bindings never load on Linux and the
 * reverse. Every other class reaches platform code through an interface it gets from here.
 * {@code PlatformClassesTest} checks that each name still names a class with the expected constructor.
 */
public final class PlatformClasses {

    public static final String LINUX_BACKEND = "dev.mcpcontain.platform.linux.LinuxBackend";
    public static final String WINDOWS_BACKEND = "dev.mcpcontain.platform.windows.WindowsBackend";
    /** SHGetKnownFolderPath: the shell's own answer for DOCUMENTS, DOWNLOADS, ... */
    public static final String WINDOWS_KNOWN_FOLDERS = "dev.mcpcontain.platform.windows.acl.ShellKnownFolders";
    /** The JNA bindings behind {@code platform.windows.Win32}. */
    public static final String WINDOWS_BINDINGS = "dev.mcpcontain.platform.windows.jna.JnaWin32";
    /** The JNA bindings behind {@code platform.windows.AccountAdmin}. */
    public static final String WINDOWS_ACCOUNT_ADMIN = "dev.mcpcontain.platform.windows.jna.JnaAccountAdmin";
    /** The JNA bindings behind {@code platform.windows.broker.BrokerWin32} (the broker service's side). */
    public static final String WINDOWS_BROKER_BINDINGS = "dev.mcpcontain.platform.windows.jna.JnaBrokerWin32";
    /** The JNA bindings behind {@code platform.windows.broker.BrokerClientWin32} (the launcher's side). */
    public static final String WINDOWS_BROKER_CLIENT = "dev.mcpcontain.platform.windows.jna.JnaBrokerClient";

    private PlatformClasses() {}

    /**
     * The backend for this operating system, made once per launcher.
     *
     * @param verbosity how much the backend's native side says on stderr (0: errors only)
     */
    public static ContainmentBackend<?> backend(dev.mcpcontain.policy.HostEnvironment host, int verbosity) {
        String os = System.getProperty("os.name", "");
        if (os.startsWith("Linux")) {
            return create(LINUX_BACKEND, ContainmentBackend.class,
                    new Class<?>[] {dev.mcpcontain.policy.HostEnvironment.class, int.class}, host, verbosity);
        }
        if (os.startsWith("Windows")) {
            return create(WINDOWS_BACKEND, ContainmentBackend.class,
                    new Class<?>[] {dev.mcpcontain.policy.HostEnvironment.class}, host);
        }
        throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM,
                "no containment backend for " + os + " (supported: Linux, Windows)");
    }

    /** An instance of a platform class with a no-argument constructor. */
    public static <T> T create(String className, Class<T> type) {
        return create(className, type, new Class<?>[0]);
    }

    /**
     * Loads {@code className}, checks it is a {@code type} and constructs it. A constructor that throws a
     * {@link RuntimeException} (a backend refusing the host) passes it on unchanged; anything else becomes
     * {@code UNSUPPORTED_PLATFORM} naming the class.
     */
    public static <T> T create(String className, Class<T> type, Class<?>[] parameters, Object... arguments) {
        try {
            Class<?> loaded = Class.forName(className);
            if (!type.isAssignableFrom(loaded)) {
                throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM, className + " is not a " + type.getName());
            }
            return type.cast(loaded.getConstructor(parameters).newInstance(arguments));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM,
                    "cannot load " + className + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ContainmentException(Reason.UNSUPPORTED_PLATFORM, "cannot load " + className + ": " + e, e);
        }
    }
}
