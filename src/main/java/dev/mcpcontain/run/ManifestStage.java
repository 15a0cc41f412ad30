package dev.mcpcontain.run;

import dev.mcpcontain.consent.ConsentPrompt;
import dev.mcpcontain.consent.ConsentResolver;
import dev.mcpcontain.consent.ConsentStore;
import dev.mcpcontain.consent.FolderRequest;
import dev.mcpcontain.consent.TerminalPrompt;
import dev.mcpcontain.consent.UserGrant;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLaunch;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.state.StateFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The first stage of a run with {@code --manifest}: the manifest turned into the request (its command and
 * environment, its server name) plus the folders it asks for that the user consented to.
 */
final class ManifestStage {

    /** Set to 1 to never prompt for consent, as if there were no terminal (scripts, tests). */
    static final String NO_PROMPT_VARIABLE = "MCP_CONTAIN_NO_PROMPT";

    /**
     * @param request       the request with the manifest's launch and the consented folders
     * @param manifest      the manifest, when there is one
     * @param sensitiveEnv  variables the manifest marks sensitive (never in the audit log)
     */
    record Outcome(RunRequest request, Optional<Manifest> manifest, Set<String> sensitiveEnv) {}

    private ManifestStage() {}

    static Outcome apply(Launcher launcher, String profile, RunRequest request, McpOptions options,
            Consumer<String> warn) {
        if (options.manifest().isEmpty()) {
            if (!options.userConfig().isEmpty()) {
                throw PolicyException.refused("--user-config needs --manifest");
            }
            return new Outcome(request, Optional.empty(), Set.of());
        }
        if (!request.command().isEmpty()) {
            throw PolicyException.refused("give either --manifest or a server command, not both");
        }
        HostEnvironment host = launcher.host();
        Manifest manifest = ManifestLoader.load(options.manifest().get(), warn::accept);
        ManifestLaunch launch = ManifestLaunch.resolve(manifest, options.userConfig(), new ManifestLaunch.Context(
                host.home(), host.workingDirectory(), launcher.knownFolders(), ManifestLaunch.Context.currentPlatform()));
        String server = request.serverName().orElse(launch.serverName());
        ConsentResolver.Outcome consent = consent(launcher, profile, request, server, launch.folders(),
                options.dryRun());
        consent.notices().forEach(warn);
        List<GrantSpec> consented = new ArrayList<>(request.consented());
        consented.addAll(consent.consented());
        List<String> env = new ArrayList<>(launch.env());
        env.addAll(request.env());
        return new Outcome(request.withManifestLaunch(launch.command(), consented, env, server), Optional.of(manifest),
                Set.copyOf(launch.sensitiveEnv()));
    }

    private static ConsentResolver.Outcome consent(Launcher launcher, String profile, RunRequest request,
            String server, List<FolderRequest> folders, boolean dryRun) {
        if (folders.isEmpty()) {
            return new ConsentResolver.Outcome(List.of(), List.of());
        }
        HostEnvironment host = launcher.host();
        List<Path> granted = new ArrayList<>();
        List<GrantSpec> grants = new ArrayList<>(launcher.profiles().resolve(profile).profile().grants());
        grants.addAll(request.grants());
        for (GrantSpec grant : grants) {
            UserGrant.canonicalPath(grant, host, launcher.knownFolders()).ifPresent(granted::add);
        }
        boolean noPrompt = dryRun || "1".equals(host.variables().get(NO_PROMPT_VARIABLE));
        LazyTerminal terminal = new LazyTerminal();
        try {
            return new ConsentResolver(new ConsentStore(StateFiles.consents(host)),
                    noPrompt ? Optional.empty() : Optional.of(terminal)).resolve(server, folders, granted, dryRun);
        } finally {
            terminal.close();
        }
    }

    /** Opens the terminal only when there is something to ask, so a run without questions never touches it. */
    private static final class LazyTerminal implements ConsentPrompt {
        private Optional<TerminalPrompt> terminal;

        @Override
        public Optional<ConsentStore.Answer> ask(String server, FolderRequest request, Path canonical) {
            if (terminal == null) {
                terminal = TerminalPrompt.open();
            }
            return terminal.flatMap(t -> t.ask(server, request, canonical));
        }

        void close() {
            if (terminal != null) {
                terminal.ifPresent(TerminalPrompt::close);
            }
        }
    }
}
