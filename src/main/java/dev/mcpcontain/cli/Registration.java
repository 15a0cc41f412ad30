package dev.mcpcontain.cli;

import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.registry.AdminPolicy;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.registry.RegistryStore;
import dev.mcpcontain.registry.ServerEntry;
import dev.mcpcontain.registry.UserConfigValues;
import dev.mcpcontain.run.Launcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code add} and {@code configure} share: settings checked as a run would check them, secrets kept apart. */
final class Registration {

    final Launcher launcher;
    final RegistryStore store;
    final AdminPolicy admin;

    Registration() {
        launcher = Launcher.forCurrentUser();
        store = RegistryStore.forHost(launcher.host());
        admin = AdminPolicy.forHost(launcher.host());
    }

    HostEnvironment host() {
        return launcher.host();
    }

    /** The profile exists and the policy allows it; grants parse and name no denied folder. */
    void checkSettings(String profile, List<String> grants) {
        admin.checkProfile(profile);
        launcher.profiles().resolve(profile);
        for (String spec : grants) {
            GrantSpec grant;
            try {
                grant = GrantSpec.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new RegistryException("--grant: " + e.getMessage());
            }
            grant.path().filter(p -> p.startsWith("/")).ifPresent(p -> admin.checkGrantPath(Path.of(p)));
        }
    }

    /**
     * The manifest's user_config: plain values and secrets merged over what is registered, then the whole checked as
     * a run would resolve it (unknown keys, missing required values, types).
     */
    UserConfigValues userConfig(Manifest manifest, List<String> given, Map<String, List<String>> plainBefore,
            Map<String, List<String>> secretsBefore) {
        UserConfigValues values = UserConfigValues.split(manifest, given,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        Map<String, List<String>> plain = new LinkedHashMap<>(plainBefore);
        Map<String, List<String>> secrets = new TreeMap<>(secretsBefore);
        values.plain().forEach((k, v) -> {
            plain.put(k, v);
            secrets.remove(k);
        });
        values.secrets().forEach((k, v) -> {
            secrets.put(k, v);
            plain.remove(k);
        });
        Map<String, List<String>> all = new LinkedHashMap<>(plain);
        all.putAll(secrets);
        HostEnvironment host = launcher.host();
        ManifestLaunch.resolve(manifest, all, new ManifestLaunch.Context(host.home(), host.workingDirectory(),
                launcher.knownFolders(), ManifestLaunch.Context.currentPlatform()));
        return new UserConfigValues(plain, secrets);
    }

    Manifest manifest(ServerEntry entry) {
        return ManifestLoader.load(Path.of(entry.manifest()));
    }

    /**
     * Secrets go to the OS keyring, or where there is none to a 0600 file: then the user is told which file and
     * why, in one line.
     */
    void saveSecrets(String name, Map<String, List<String>> secrets, PrintWriter err) {
        RegistryStore.SavedSecrets saved = store.saveSecrets(name, secrets);
        saved.warning().ifPresent(w -> err.println("mcp-contain: warning: " + w));
        if (!secrets.isEmpty() && saved.warning().isEmpty()) {
            err.println("mcp-contain: sensitive values (" + String.join(", ", new TreeMap<>(secrets).keySet())
                    + ") are stored in " + saved.where());
        }
    }
}
