package dev.mcpcontain.run;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.PlatformClasses;
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
 * The Java API for hosts and proxies: the same {@link RunPipeline} as {@code mcp-contain run}, without the command
 * line. Holds what every run of this user shares: the host, the profiles, the known folders and the backend.
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
    private final int verbosity;
    private ContainmentBackend<?> backend;

    public Launcher(HostEnvironment host, ProfileStore profiles, KnownFolderResolver knownFolders) {
        this(host, profiles, knownFolders, 0);
    }

    /** @param verbosity how much the launch says on stderr: 0 warnings only, 1 steps ({@code -v}), 2 debug */
    public Launcher(HostEnvironment host, ProfileStore profiles, KnownFolderResolver knownFolders, int verbosity) {
        this.host = host;
        this.profiles = profiles;
        this.knownFolders = knownFolders;
        this.verbosity = verbosity;
    }

    /** A launcher for the user running this JVM, with profiles from the user's config directory and built-ins. */
    public static Launcher forCurrentUser() {
        return forCurrentUser(0);
    }

    public static Launcher forCurrentUser(int verbosity) {
        return forHost(HostEnvironment.current(), verbosity);
    }

    /**
     * A launcher for HOST, with its profiles and built-ins: e.g. {@code forHost(HostEnvironment.current()
     * .withStateDirectory(dir), 0)} keeps pins, agent homes and the audit log in DIR (tests, throwaway hosts).
     */
    public static Launcher forHost(HostEnvironment host, int verbosity) {
        return new Launcher(host, new ProfileStore(Optional.of(host.configDirectory().resolve("profiles"))),
                host.windows() ? defaultWindowsFolders() : new XdgUserDirs(host), verbosity);
    }

    /** The shell's own answer, or none: guessing {@code %USERPROFILE%\\Documents} could grant the wrong folder. */
    private static KnownFolderResolver defaultWindowsFolders() {
        try {
            return PlatformClasses.create(PlatformClasses.WINDOWS_KNOWN_FOLDERS, KnownFolderResolver.class);
        } catch (ContainmentException e) {
            return folder -> {
                throw new ContainmentException(ContainmentException.Reason.UNSUPPORTED_PLATFORM,
                        "cannot resolve the known folder '" + folder.grantName() + "' (SHGetKnownFolderPath unavailable: "
                                + e.getMessage() + "); grant it by path instead");
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

    public int verbosity() {
        return verbosity;
    }

    public ContainmentPolicy resolve(String profile, RunRequest request) {
        return new PolicyResolver(host, knownFolders).resolve(profiles.resolve(profile), request);
    }

    /** This host's backend, made on first use. */
    public synchronized ContainmentBackend<?> backend() {
        if (backend == null) {
            backend = PlatformClasses.backend(host, verbosity);
        }
        return backend;
    }

    /** The run pipeline over this launcher. */
    public RunPipeline pipeline() {
        return new RunPipeline(this);
    }

    /**
     * Resolves, plans, prepares and starts with the server's stdio on pipes owned by the caller. Mediated as
     * {@code run} would be (a pin or the profile's tool rules turn it on), the relay then running in this JVM.
     */
    public ContainedProcess start(String profile, RunRequest request) throws IOException {
        RunPipeline pipeline = pipeline();
        return pipeline.startOnPipes(pipeline.plan(pipeline.resolve(profile, request, McpOptions.none())));
    }
}
