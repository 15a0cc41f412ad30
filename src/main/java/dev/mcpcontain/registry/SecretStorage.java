package dev.mcpcontain.registry;

import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.policy.HostEnvironment;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which store holds sensitive values on this host, decided from the platform and environment alone (nothing is
 * contacted here, so a run without secrets never touches D-Bus or Credential Manager).
 *
 * <p>{@value #MODE_VARIABLE} chooses: {@code auto} (default: the OS keyring when there is one, else the 0600 file
 * with a warning), {@code keyring} (the OS keyring or a refusal), {@code file} (always the 0600 file).
 */
public final class SecretStorage {

    public static final String MODE_VARIABLE = "MCP_CONTAIN_SECRETS";
    static final String SECRET_SERVICE = "dev.mcpcontain.platform.secretservice.SecretServiceStore";
    static final String CREDENTIAL_MANAGER = "dev.mcpcontain.platform.windows.jna.CredentialManagerStore";

    public enum Mode { AUTO, KEYRING, FILE }

    /**
     * The decision.
     *
     * @param mode          as configured
     * @param keyringClass  the keyring implementation to try, if any
     * @param noKeyring     why there is none to try (when {@code keyringClass} is empty)
     */
    public record Choice(Mode mode, Optional<String> keyringClass, String noKeyring) {

        /** The keyring's name for {@code show}, without contacting it. */
        public String keyringName() {
            return keyringClass.map(c -> c.equals(CREDENTIAL_MANAGER) ? "Windows Credential Manager"
                    : "Secret Service").orElse("none");
        }
    }

    private SecretStorage() {}

    public static Mode mode(Map<String, String> variables) {
        String value = variables.getOrDefault(MODE_VARIABLE, "");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "auto" -> Mode.AUTO;
            case "keyring" -> Mode.KEYRING;
            case "file" -> Mode.FILE;
            default -> throw new RegistryException(MODE_VARIABLE + "=" + value + ": expected auto, keyring or file");
        };
    }

    public static Choice choose(String osName, Map<String, String> variables) {
        Mode mode = mode(variables);
        if (mode == Mode.FILE) {
            return new Choice(mode, Optional.empty(), MODE_VARIABLE + "=file");
        }
        if (osName.startsWith("Windows")) {
            return new Choice(mode, Optional.of(CREDENTIAL_MANAGER), "");
        }
        if (osName.startsWith("Linux")) {
            String bus = variables.getOrDefault("DBUS_SESSION_BUS_ADDRESS", "");
            if (bus.isBlank()) {
                return new Choice(mode, Optional.empty(), "no Secret Service: DBUS_SESSION_BUS_ADDRESS is not set"
                        + " (no desktop session bus)");
            }
            return new Choice(mode, Optional.of(SECRET_SERVICE), "");
        }
        return new Choice(mode, Optional.empty(), "no OS keyring is supported on " + osName);
    }

    /** The keyring for this host, not yet contacted; empty (with the reason) when there is none to try. */
    public static Optional<SecretStore> keyring(HostEnvironment host, Choice choice) {
        if (choice.keyringClass().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(PlatformClasses.create(choice.keyringClass().get(), SecretStore.class,
                new Class<?>[] {HostEnvironment.class}, host));
    }
}
