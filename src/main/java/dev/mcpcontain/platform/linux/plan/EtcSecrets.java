package dev.mcpcontain.platform.linux.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files under /etc no server may read: they hold secrets or grant privilege. Masked behind an unreadable mount
 * in full isolation, left out of the Landlock rules without a mount namespace.
 */
final class EtcSecrets {

    static final List<String> MASKED_ETC = List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
            "/etc/sudoers", "/etc/sudoers.d", "/etc/security/opasswd", "/etc/ssl/private", "/etc/mcp-contain");

    private EtcSecrets() {}

    /** The secrets as they exist on this host (a mask needs something to cover), ssh host keys included. */
    static List<String> present(HostProbe host, Path etc) {
        List<String> masked = new ArrayList<>();
        for (String secret : MASKED_ETC) {
            if (host.kind(onHost(etc, secret)) != HostProbe.Kind.ABSENT) {
                masked.add(secret);
            }
        }
        Path ssh = etc.resolve("ssh");
        if (host.isDirectoryFollowingLinks(ssh)) {
            masked.addAll(sshHostKeys(host, ssh));
        }
        return masked;
    }

    /** Every secret, present or not, and the ssh host keys of a real /etc/ssh (no link followed). */
    static List<String> all(HostProbe host, Path etc) {
        List<String> hidden = new ArrayList<>(MASKED_ETC);
        Path ssh = etc.resolve("ssh");
        if (host.kind(ssh) == HostProbe.Kind.DIRECTORY) {
            hidden.addAll(sshHostKeys(host, ssh));
        }
        return hidden;
    }

    /** SECRET ("/etc/...") in the launcher's /etc, which a test may place elsewhere. */
    static Path onHost(Path etc, String secret) {
        return etc.resolveSibling(secret.substring(1));
    }

    private static List<String> sshHostKeys(HostProbe host, Path ssh) {
        List<String> keys = new ArrayList<>();
        for (String name : host.list(ssh)) {
            if (name.endsWith("_key")) {
                keys.add("/etc/ssh/" + name);
            }
        }
        return List.copyOf(keys);
    }
}
