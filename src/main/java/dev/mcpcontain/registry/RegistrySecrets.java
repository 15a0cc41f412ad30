package dev.mcpcontain.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The sensitive values of a registry's servers: in the OS keyring when there is one, else in each server's 0600
 * {@code secrets.json}. {@link RegistryStore} delegates here; the keyring is made (and contacted) only when a
 * server's secrets are read or written, never for a server without any.
 */
final class RegistrySecrets {

    private final RegistryStore registry;
    private final SecretStorage.Choice secretChoice;
    /** Made on first use only: a registry command or run without secrets never loads or contacts a keyring. */
    private final Supplier<Optional<SecretStore>> keyring;

    RegistrySecrets(RegistryStore store, SecretStorage.Choice secretChoice, Supplier<Optional<SecretStore>> keyring) {
        this.registry = store;
        this.secretChoice = secretChoice;
        this.keyring = memoized(keyring);
    }

    /**
     * The sensitive values of a server: those in its 0600 file, and, when the file does not hold every key the
     * entry names, those in the OS keyring. Values the keyring cannot give (none here, or none reachable) are
     * simply absent: {@link #require} turns that into a refusal.
     */
    Map<String, List<String>> read(String name) {
        Map<String, List<String>> found = new TreeMap<>(fileSecrets(name));
        List<String> keys = registry.find(name).map(ServerEntry::secretKeys).orElse(List.of());
        if (found.keySet().containsAll(keys)) {
            return found;
        }
        Optional<SecretStore> store = keyring.get();
        if (store.isPresent()) {
            try {
                Map<String, List<String>> held = new TreeMap<>(store.get().read(name));
                held.putAll(found);
                return held;
            } catch (SecretStore.Unavailable e) {
                return found;
            }
        }
        return found;
    }

    /**
     * Every sensitive value {@code entry} names, for a run.
     *
     * @throws RegistryException naming the missing keys, where they were looked for, and the {@code configure}
     *                           command that stores them again
     */
    Map<String, List<String>> require(ServerEntry entry) {
        // Only the keys the entry names: a value left behind under another key (a keyring unreachable at an
        // earlier remove) must not reach the manifest as an unknown option.
        Map<String, List<String>> found = new TreeMap<>(read(entry.name()));
        found.keySet().retainAll(entry.secretKeys());
        List<String> missing = entry.secretKeys().stream().filter(k -> !found.containsKey(k)).toList();
        if (missing.isEmpty()) {
            return found;
        }
        String why = "";
        Optional<SecretStore> store = keyring.get();
        String where = store.map(SecretStore::where).orElse(registry.secretsFile(entry.name()).toString());
        if (store.isEmpty()) {
            why = " (" + secretChoice.noKeyring() + ")";
        } else {
            try {
                store.get().read(entry.name());
            } catch (SecretStore.Unavailable e) {
                why = " (" + e.getMessage() + ")";
            }
        }
        String keys = String.join(", ", missing);
        throw new RegistryException("'" + entry.name() + "': its sensitive user_config " + keys + " is not in " + where
                + why + "; store it again with 'mcp-contain configure " + entry.name() + " --user-config "
                + missing.get(0) + "=-' (value on stdin)");
    }

    /**
     * Where new sensitive values would go, for {@code check}: the keyring is asked for nothing of anyone's (a search
     * for a name no server can have), which connects, opens a session and checks that the default collection is
     * unlocked, without a prompt.
     *
     * @return {@code mode}, {@code store} (the keyring's description or "0600 file"), and {@code reason} when the
     *         file is used or the keyring refuses
     */
    Map<String, String> status() {
        Map<String, String> status = new java.util.LinkedHashMap<>();
        status.put("mode", secretChoice.mode().name().toLowerCase(java.util.Locale.ROOT));
        Optional<SecretStore> store = keyring.get();
        if (store.isEmpty()) {
            status.put("store", "0600 file");
            status.put("reason", secretChoice.noKeyring());
            return status;
        }
        try {
            store.get().read("-probe-");
            status.put("store", store.get().where());
        } catch (SecretStore.Unavailable e) {
            status.put("store", secretChoice.mode() == SecretStorage.Mode.KEYRING ? "none (refused)" : "0600 file");
            status.put("reason", e.getMessage());
        } catch (RegistryException e) {
            status.put("store", store.get().where() + " (not usable now)");
            status.put("reason", e.getMessage());
        }
        return status;
    }

    /** Where a server's sensitive values are, for {@code show}: its 0600 file, or the keyring. Contacts nothing. */
    String location(String name) {
        Path file = registry.secretsFile(name);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return file.toString();
        }
        return secretChoice.keyringClass().isPresent() ? "OS keyring (" + secretChoice.keyringName() + ")"
                : file.toString();
    }

    /**
     * Replaces the sensitive values of {@code name} with {@code secrets}: into the OS keyring when there is one
     * (the 0600 file is then deleted), otherwise into the file.
     *
     * @throws RegistryException when the keyring refuses (locked, needs a prompt), or none is available while
     *                           {@value SecretStorage#MODE_VARIABLE}=keyring
     */
    RegistryStore.SavedSecrets save(String name, Map<String, List<String>> secrets) {
        Path file = registry.secretsFile(name);
        boolean heldBefore = registry.find(name).map(e -> !e.secretKeys().isEmpty()).orElse(false);
        if (secrets.isEmpty() && !heldBefore) {
            RegistryStore.deleteQuietly(file);
            return new RegistryStore.SavedSecrets(file.toString(), Optional.empty());
        }
        String reason = secretChoice.noKeyring();
        Optional<SecretStore> store = keyring.get();
        if (store.isPresent()) {
            try {
                store.get().replace(name, secrets);
                RegistryStore.deleteQuietly(file);
                return new RegistryStore.SavedSecrets(store.get().where(), Optional.empty());
            } catch (SecretStore.Unavailable e) {
                reason = e.getMessage();
            }
        }
        if (secretChoice.mode() == SecretStorage.Mode.KEYRING) {
            throw new RegistryException(reason + "; " + SecretStorage.MODE_VARIABLE + "=keyring refuses the 0600"
                    + " file (unset it, or set it to file, to store sensitive values there)");
        }
        Path dir = registry.ensureServerDirectory(name);
        if (secrets.isEmpty()) {
            RegistryStore.deleteQuietly(file);
            return new RegistryStore.SavedSecrets(file.toString(), Optional.empty());
        }
        RegistryStore.write(dir.resolve("secrets.json"), new TreeMap<>(secrets));
        return new RegistryStore.SavedSecrets(file.toString(), Optional.of("sensitive values (" + String.join(", ",
                new TreeMap<>(secrets).keySet()) + ") are stored in " + file + " (mode 0600, readable by this account"
                + " only), not in an OS keyring: " + reason));
    }

    private Map<String, List<String>> fileSecrets(String name) {
        Path file = registry.secretsFile(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Map.of();
        }
        try {
            return RegistryStore.JSON.readValue(Files.readAllBytes(file), new TypeReference<Map<String, List<String>>>() {});
        } catch (IOException e) {
            throw new RegistryException(file + ": damaged secrets file (" + RegistryStore.firstLine(e.getMessage()) + ")", e);
        }
    }

    /**
     * Deletes the server's values from the keyring (its folder, with the file, is deleted by the caller).
     *
     * @return a warning when the keyring held them and could not be reached
     */
    List<String> forget(String name) {
        List<String> warnings = new ArrayList<>();
        Optional<ServerEntry> entry = registry.find(name);
        if (entry.isPresent() && !entry.get().secretKeys().isEmpty()
                && !fileSecrets(name).keySet().containsAll(entry.get().secretKeys())) {
            Optional<SecretStore> keyringStore = keyring.get();
            try {
                if (keyringStore.isPresent()) {
                    keyringStore.get().replace(name, Map.of());
                }
            } catch (SecretStore.Unavailable e) {
                warnings.add("could not delete the sensitive values of '" + name + "' from "
                        + keyringStore.get().where() + " (" + e.getMessage() + "); delete them there yourself");
            }
        }
        return warnings;
    }

    private static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }
}
