package dev.mcpcontain.launch;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.KnownFolderResolver;
import dev.mcpcontain.policy.PolicyResolver;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.policy.XdgUserDirs;
import dev.mcpcontain.profile.ProfileStore;
import java.io.IOException;
import java.util.Optional;

/**
 * The Java API for hosts and proxies: the same policy resolution and backends as {@code mcp-contain run},
 * without the command line.
 *
 * <pre>{@code
 * Launcher launcher = Launcher.forCurrentUser();
 * try (ContainedProcess server = launcher.start("default",
 *         RunRequest.of(List.of("node", "/opt/srv/index.js")))) {
 *     server.stdin().write(...);            // JSON-RPC to the server
 *     server.stdout().read(...);            // JSON-RPC from the server
 * }                                        // close(): stdin closed, SIGTERM, then the whole tree killed
 * }</pre>
 */
public final class Launcher {

    private final HostEnvironment host;
    private final ProfileStore profiles;
    private final KnownFolderResolver knownFolders;
    private ContainmentBackend backend;

    public Launcher(HostEnvironment host, ProfileStore profiles, KnownFolderResolver knownFolders) {
        this.host = host;
        this.profiles = profiles;
        this.knownFolders = knownFolders;
    }

    /** A launcher for the user running this JVM, with profiles from the user's config directory and built-ins. */
    public static Launcher forCurrentUser() {
        return forHost(HostEnvironment.current());
    }

    /**
     * A launcher for HOST, with its profiles and built-ins: e.g. {@code forHost(HostEnvironment.current()
     * .withStateDirectory(dir))} keeps pins, agent homes and the audit log in DIR (tests, throwaway hosts).
     */
    public static Launcher forHost(HostEnvironment host) {
        return new Launcher(host, new ProfileStore(Optional.of(host.configDirectory().resolve("profiles"))),
                host.windows() ? defaultWindowsFolders(host) : new XdgUserDirs(host));
    }

    /** The shell's own answer, or none: guessing {@code %USERPROFILE%\\Documents} could grant the wrong folder. */
    private static KnownFolderResolver defaultWindowsFolders(HostEnvironment host) {
        try {
            return (KnownFolderResolver) Class.forName("dev.mcpcontain.platform.windows.ShellKnownFolders")
                    .getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return folder -> {
                throw new ContainmentException(ContainmentException.Reason.UNSUPPORTED_PLATFORM,
                        "cannot resolve the known folder '" + folder.grantName() + "' (SHGetKnownFolderPath unavailable: "
                                + e + "); grant it by path instead");
            };
        }
    }

    public HostEnvironment host() {
        return host;
    }

    public ProfileStore profiles() {
        return profiles;
    }

    /** How DOCUMENTS, DOWNLOADS, ... resolve for this user (manifests use them too). */
    public KnownFolderResolver knownFolders() {
        return knownFolders;
    }

    public ContainmentPolicy resolve(String profile, RunRequest request) {
        return new PolicyResolver(host, knownFolders).resolve(profiles.resolve(profile), request);
    }

    public synchronized ContainmentBackend backend() {
        if (backend == null) {
            backend = Backends.forHost(host);
        }
        return backend;
    }

    public LaunchPlan plan(ContainmentPolicy policy) {
        return backend().plan(policy);
    }

    /** Resolves, plans, prepares and starts with the server's stdio on pipes owned by the caller. */
    public ContainedProcess start(String profile, RunRequest request) throws IOException {
        return start(plan(resolve(profile, request)));
    }

    public ContainedProcess start(LaunchPlan plan) throws IOException {
        backend().prepare(plan);
        return backend().start(plan, false);
    }
}
