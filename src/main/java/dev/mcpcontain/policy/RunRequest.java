package dev.mcpcontain.policy;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import java.util.List;
import java.util.Optional;

/**
 * What the user asked for on one launch, before any of it is checked against the host.
 *
 * @param command     the server's program and arguments as given
 * @param grants      grants from the command line (the profile's come with the profile)
 * @param consented   folders the user consented to for this server (from the manifest's requests)
 * @param network     overrides the profile's network when present
 * @param env         {@code --env NAME} or {@code --env NAME=VALUE}
 * @param serverName  overrides the derived server identity when present
 * @param isolation   overrides the profile's isolation when present ({@code --isolation})
 * @param allowHosts  {@code --allow-host} entries: outbound network only to these, through the filtering proxy
 */
public record RunRequest(
        List<String> command,
        List<GrantSpec> grants,
        List<GrantSpec> consented,
        Optional<Profile.Network> network,
        List<String> env,
        Optional<String> serverName,
        Optional<Profile.Isolation> isolation,
        List<String> allowHosts) {

    public RunRequest {
        allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
        command = List.copyOf(command);
        grants = List.copyOf(grants);
        consented = List.copyOf(consented);
        env = List.copyOf(env);
    }

    /** A request without {@code --allow-host}. */
    public RunRequest(List<String> command, List<GrantSpec> grants, List<GrantSpec> consented,
            Optional<Profile.Network> network, List<String> env, Optional<String> serverName,
            Optional<Profile.Isolation> isolation) {
        this(command, grants, consented, network, env, serverName, isolation, List.of());
    }

    public static RunRequest of(List<String> command) {
        return new RunRequest(command, List.of(), List.of(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty());
    }

    /** This request with what a manifest decides: its command, the consented folders, its environment and name. */
    public RunRequest withManifestLaunch(List<String> manifestCommand, List<GrantSpec> allConsented,
            List<String> allEnv, String server) {
        return new RunRequest(manifestCommand, grants, allConsented, network, allEnv, Optional.of(server), isolation,
                allowHosts);
    }
}
