package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;

/**
 * What the filter depends on.
 *
 * @param arch        the architecture of the process the filter is loaded into (and of the syscalls it allows)
 * @param networkNone deny AF_INET and AF_INET6 sockets as well, for servers granted no network
 */
public record SeccompOptions(Arch arch, boolean networkNone) {
    public SeccompOptions {
        Objects.requireNonNull(arch, "arch");
    }
}
