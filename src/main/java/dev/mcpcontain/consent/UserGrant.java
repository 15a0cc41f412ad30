package dev.mcpcontain.consent;

import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.KnownFolderResolver;
import dev.mcpcontain.profile.GrantSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a grant the user wrote (command line or profile) points, canonical: a folder request inside one needs no
 * consent, the user already decided. Mirrors how the policy resolver reads grants; a grant that does not resolve
 * covers nothing here and is reported by the resolver.
 */
public final class UserGrant {

    private UserGrant() {}

    public static Optional<Path> canonicalPath(GrantSpec grant, HostEnvironment host, KnownFolderResolver folders) {
        Path path;
        if (grant.folder().isPresent()) {
            path = folders.resolve(grant.folder().get());
        } else {
            String text = grant.path().orElseThrow();
            if (text.equals("~") || text.startsWith("~/")) {
                path = host.home().resolve(text.length() <= 2 ? "" : text.substring(2));
            } else {
                path = host.workingDirectory().resolve(text);
            }
        }
        try {
            return Optional.of(path.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
