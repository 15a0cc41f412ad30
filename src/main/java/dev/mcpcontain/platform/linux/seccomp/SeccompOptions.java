package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;

/**
 * What the filter depends on.
 *
 * @param arch        the architecture of the process the filter is loaded into (and of the syscalls it allows)
 * @param networkNone deny AF_INET and AF_INET6 sockets as well, for servers granted no network
 * @param isolation   how much of the host the server shares, which decides the extra rules (see {@link Isolation})
 * @param hostNetwork the server's network is the host's ({@code network host}): with none or an allow-list it is
 *                    not, and requests that read the host's network devices through a host-made socket are denied
 */
public record SeccompOptions(Arch arch, boolean networkNone, Isolation isolation, boolean hostNetwork) {

    /**
     * Which launch mode the filter is for. Every mode gets the base deny-list and the setuid/setgid/file-capability
     * rules. {@code LANDLOCK} (no namespaces: the host's IPC, network, pid and filesystem are shared and Landlock is
     * the only filesystem layer) also gets the rules that close what no namespace hides there: socket(AF_UNIX),
     * datagram socketpairs, netlink, SysV IPC and POSIX message queues, metadata changes by path, and priority,
     * affinity and resource-limit calls aimed at other processes. {@code REDUCED} (the user's own session, for
     * testing) does not: the server already has the user's files and sockets there, so those rules would only break
     * programs without protecting anything.
     */
    public enum Isolation { FULL, LANDLOCK, REDUCED }

    public SeccompOptions {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(isolation, "isolation");
        if (networkNone && hostNetwork) {
            throw new IllegalArgumentException("network cannot be both none and the host's");
        }
    }

    public SeccompOptions(Arch arch, boolean networkNone) {
        this(arch, networkNone, Isolation.FULL);
    }

    /** Network none or host: the host's network exactly when it is not none (an allow-list says so explicitly). */
    public SeccompOptions(Arch arch, boolean networkNone, Isolation isolation) {
        this(arch, networkNone, isolation, !networkNone);
    }

    /**
     * The host's network devices stay hidden from the server: in full isolation unless the network is the host's; in
     * landlock isolation always (there netlink is refused for the same reason, whatever the network). Not in
     * "reduced", which shares everything anyway.
     */
    boolean hostInterfacesHidden() {
        return isolation == Isolation.LANDLOCK || (isolation == Isolation.FULL && !hostNetwork);
    }

    /** The server shares the host's namespaces and only Landlock confines its files: the landlock-mode rules apply. */
    boolean sharedHost() {
        return isolation == Isolation.LANDLOCK;
    }
}
