package dev.mcpcontain.registry;

import dev.mcpcontain.bundle.SignatureStatus;
import java.util.List;
import java.util.Map;

/**
 * One registered server, as stored in {@code NAME/server.json}. Sensitive {@code user_config} values are never
 * here: only their keys, in {@link #secretKeys}; the values live in the OS keyring, or in the 0600 secrets file
 * beside it where there is none (see {@link RegistryStore#saveSecrets}).
 *
 * @param name        the registered name, also the server identity (pins, audit, agent home)
 * @param source      how it was added: {@code manifest}, {@code mcpb}, {@code server.json}, {@code npm} or
 *                    {@code command}
 * @param origin      what was given: the manifest path, the .mcpb or server.json file, {@code npm:PACKAGE@VERSION}
 *                    or the tarball, the program
 * @param command     for {@code command} and {@code npm}: the command line (for a manifest the manifest decides)
 * @param manifest    the manifest.json that decides the command: the given one, the one unpacked from a .mcpb, or
 *                    the one written for a server.json; null for {@code npm} and {@code command}
 * @param codePath    what is hashed: the bundle folder (given or unpacked into the store), the per-server npm
 *                    prefix, or the program binary
 * @param codeSha256  the {@link TreeHash} at {@code add} or the last {@code update}
 * @param signed      whether the code's signature was verified: {@code npm audit signatures}, or a .mcpb signature
 *                    whose chain reaches a trust anchor
 * @param signature   for {@code mcpb}: what its signature said at add time; null for other sources
 * @param profile     containment profile
 * @param grants      {@code --grant} specs as given
 * @param allowHosts  {@code --allow-host} specs as given (stored; enforced by the network options where present)
 * @param env         {@code --env} entries
 * @param userConfig  non-sensitive {@code --user-config} values
 * @param secretKeys  keys of sensitive values held in the keyring or the secrets file
 * @param added       ISO instant
 * @param updated     ISO instant of the last re-pin
 */
public record ServerEntry(
        String name,
        String source,
        String origin,
        List<String> command,
        String manifest,
        String codePath,
        String codeSha256,
        boolean signed,
        String profile,
        List<String> grants,
        List<String> allowHosts,
        List<String> env,
        Map<String, List<String>> userConfig,
        List<String> secretKeys,
        String added,
        String updated,
        SignatureStatus signature) {

    /** An entry of a source that carries no bundle signature. */
    public ServerEntry(String name, String source, String origin, List<String> command, String manifest,
            String codePath, String codeSha256, boolean signed, String profile, List<String> grants,
            List<String> allowHosts, List<String> env, Map<String, List<String>> userConfig, List<String> secretKeys,
            String added, String updated) {
        this(name, source, origin, command, manifest, codePath, codeSha256, signed, profile, grants, allowHosts, env,
                userConfig, secretKeys, added, updated, null);
    }

    public ServerEntry {
        command = command == null ? List.of() : List.copyOf(command);
        grants = grants == null ? List.of() : List.copyOf(grants);
        allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
        env = env == null ? List.of() : List.copyOf(env);
        userConfig = userConfig == null ? Map.of() : Map.copyOf(userConfig);
        secretKeys = secretKeys == null ? List.of() : List.copyOf(secretKeys);
    }

    public ServerEntry withCode(String sha256, String when) {
        return new ServerEntry(name, source, origin, command, manifest, codePath, sha256, signed, profile, grants,
                allowHosts, env, userConfig, secretKeys, added, when, signature);
    }

    public ServerEntry withSettings(String newProfile, List<String> newGrants, List<String> newAllowHosts,
            List<String> newEnv, Map<String, List<String>> newUserConfig, List<String> newSecretKeys) {
        return new ServerEntry(name, source, origin, command, manifest, codePath, codeSha256, signed, newProfile,
                newGrants, newAllowHosts, newEnv, newUserConfig, newSecretKeys, added, updated, signature);
    }
}
