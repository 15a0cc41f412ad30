package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;

/**
 * What the filter depends on.
 *
 * @param arch        the architecture of the process the filter is loaded into (and of the syscalls it allows)
 * @param networkNone deny AF_INET and AF_INET6 sockets as well, for servers granted no network
 * @param unixDenied  deny socket(AF_UNIX) (socketpair stays) and inotify_add_watch, for servers without a mount
 *                    namespace (landlock isolation); for the sockets: nothing else
 *                    keeps them from connecting to the host's pathname sockets before Landlock ABI 9
 */
public record SeccompOptions(Arch arch, boolean networkNone, boolean unixDenied) {
    public SeccompOptions {
        Objects.requireNonNull(arch, "arch");
    }

    public SeccompOptions(Arch arch, boolean networkNone) {
        this(arch, networkNone, false);
    }
}
