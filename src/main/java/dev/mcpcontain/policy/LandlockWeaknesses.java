package dev.mcpcontain.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every known weakness of {@code --isolation landlock} (no namespaces), in one list: what it means for the user,
 * whether it is closed (and by which mechanism), or left open. An open weakness that applies to a launch refuses
 * that launch unless the profile names it in {@code "accept"}; {@code check}, {@code run --dry-run}, the launch
 * warning and the README render this list, so they cannot disagree.
 */
public final class LandlockWeaknesses {

    /** CLOSED: a mechanism stops it. OPEN: no kernel mechanism without namespaces; refused unless accepted. */
    public enum Status { CLOSED, OPEN }

    /** When an open weakness applies to a launch. */
    public enum Applies { ALWAYS, WITH_GRANTS }

    /**
     * @param name      stable, what a profile writes in {@code "accept"}
     * @param status    closed or open
     * @param meaning   one line on what it means for the user
     * @param mechanism what closes it (or why nothing can), with the Landlock ABI that decides where one does
     * @param applies   for open ones: when the launch is refused without acceptance
     */
    public record Weakness(String name, Status status, String meaning, String mechanism, Applies applies) {}

    private static final Map<String, Weakness> ALL = new LinkedHashMap<>();

    static {
        open("landlock-stat-metadata",
                "the server can stat any path it knows: existence, size, owner and times of your files outside the"
                        + " grants, where a symbolic link points and their filesystem's size (not their contents,"
                        + " directory listings or extended attributes)",
                "Landlock has no right for stat/access/readlink (up to ABI 9); only a mount namespace hides names",
                Applies.ALWAYS);
        open("landlock-device-nodes",
                "a device node inside a granted folder can be opened and read or written as far as its permissions"
                        + " allow (there is no nodev without a mount namespace); device ioctls stay denied",
                "Landlock controls creating device nodes, not opening existing ones; ioctls: IOCTL_DEV withheld (ABI 5)",
                Applies.WITH_GRANTS);
        open("landlock-host-pids",
                "the server shares your pid namespace: it can tell which process ids exist (kill/pidfd answer EPERM"
                        + " for a live one, ESRCH otherwise) and read what the kernel tells any process about another"
                        + " (owner uid, parent, process group, session, CPU affinity and capability sets, through"
                        + " pidfd's PIDFD_GET_INFO, getpgid, getsid, sched_getaffinity, capget), though it cannot signal,"
                        + " trace or read their memory, files, command lines or environments",
                "no pid namespace without user namespaces; signals are scoped (Landlock ABI 6), /proc is per-entry",
                Applies.ALWAYS);

        closed("landlock-sysv-ipc", "your SysV shared memory, message queues and semaphores",
                "seccomp: shmget/msgget/semget and the rest of SysV IPC denied (EPERM)");
        closed("landlock-posix-mqueue", "your POSIX message queues", "seccomp: mq_open and friends denied (EPERM)");
        closed("landlock-unix-datagrams", "datagrams to host pathname sockets (journald, syslog) through a socketpair",
                "seccomp: SOCK_DGRAM socketpairs refused (ESOCKTNOSUPPORT); stream pairs cannot address anyone else");
        closed("landlock-netlink", "the host's network interfaces, addresses and routes (NETLINK_ROUTE, SIOCGIFCONF)",
                "seccomp: every netlink socket refused (EAFNOSUPPORT) and network-device ioctls on any socket"
                        + " (SIOCGIF*, wireless) refused (EPERM); getifaddrs fails, getaddrinfo works");
        closed("landlock-abstract-names", "taking a name in the host's abstract unix namespace (one a host service"
                        + " binds later) or its autobind names, with network none",
                "seccomp, network none: bind and connect refused (EPERM; only socketpairs exist), SO_PASSCRED and"
                        + " SO_PASSPIDFD refused (EPERM); with network host bind stays (Known limits)");
        closed("landlock-other-process-limits", "lowering the limits, priority or affinity of your other processes",
                "seccomp: prlimit64, setpriority, sched_set*, ioprio_set only for the caller itself");
        closed("landlock-metadata-outside-grants", "chmod, chown, xattrs (set or read) and times of files outside the"
                        + " grants",
                "seccomp: the path forms denied (EPERM; xattr reads EOPNOTSUPP), descriptor forms kept; tools that"
                        + " chmod by path fail");
        closed("landlock-setuid-bits", "planting setuid/setgid files or file capabilities in a grant",
                "seccomp: setuid/setgid modes and setxattr denied in every mode");

        closed("landlock-files-outside-grants", "reading or writing your files outside the grants",
                "Landlock filesystem rules (ABI 1; truncate ABI 3, cross-folder links ABI 2)");
        closed("landlock-links-between-grants", "a hard link from a grant into the agent home (or between the home"
                        + " and a grant, or two grants) that keeps the user's file readable and writable after the grant"
                        + " is gone",
                "Landlock: each writable place gets its own set of marker layers (IOCTL_DEV, withheld anyway), so a"
                        + " link or rename between two of them is EXDEV, as between mounts (ABI 5)");
        closed("landlock-etc-secrets", "reading /etc/shadow, sudoers, ssh host keys and the other masked /etc files",
                "Landlock rules for /etc entry by entry, leaving the secrets out");
        closed("landlock-dev-shm", "POSIX shared memory and files in /dev/shm shared with the host",
                "Landlock: no rule for /dev/shm (only /dev/null, zero, full, random, urandom are allowed)");
        closed("landlock-terminals", "reading from or typing into your other terminals (/dev/pts/*, /dev/tty)",
                "Landlock: no rule for /dev/pts or /dev/tty; the server also runs in a new session");
        closed("landlock-proc-other-processes", "command lines, environments and memory maps of your other processes",
                "Landlock: /proc only by the server's own entries; ptrace-style access also scoped by Landlock");
        closed("landlock-proc-net", "host socket paths and connections in /proc/net (unix, tcp)",
                "Landlock: no rule for /proc/net or /proc/PID/net");
        closed("landlock-inotify", "watching folders outside the grants for the names created there",
                "seccomp: inotify_add_watch denied (EACCES) in landlock isolation; file watching is unavailable");
        closed("landlock-signals", "signals to your other processes and connecting to host abstract unix sockets",
                "Landlock scopes (ABI 6, required)");
        closed("landlock-tcp", "TCP to the host or the internet when the profile says network none",
                "Landlock TCP rules (ABI 4, required) and seccomp socket families");
        closed("landlock-unix-sockets", "connecting to host pathname sockets (session bus, ssh-agent, docker.sock)",
                "seccomp: socket(AF_UNIX) refused (Landlock ABI 9 could confine them by path; not used yet)");
        closed("landlock-ptrace", "tracing or reading the memory of your other processes",
                "Landlock ptrace scoping (ABI 1) and seccomp");
        closed("landlock-setuid", "running setuid programs to gain privileges", "no_new_privs");
    }

    private LandlockWeaknesses() {}

    private static void open(String name, String meaning, String mechanism, Applies applies) {
        ALL.put(name, new Weakness(name, Status.OPEN, meaning, mechanism, applies));
    }

    private static void closed(String name, String meaning, String mechanism) {
        ALL.put(name, new Weakness(name, Status.CLOSED, meaning, mechanism, Applies.ALWAYS));
    }

    /** Every entry, open ones first, in a stable order. */
    public static List<Weakness> all() {
        return List.copyOf(ALL.values());
    }

    public static Optional<Weakness> named(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /** The names a profile may accept: the open ones. */
    public static Set<String> acceptable() {
        Set<String> names = new TreeSet<>();
        for (Weakness w : ALL.values()) {
            if (w.status() == Status.OPEN) {
                names.add(w.name());
            }
        }
        return names;
    }

    /** Null when NAME may be accepted, else why not (one line). */
    public static String whyNotAcceptable(String name) {
        Weakness w = ALL.get(name);
        if (w == null) {
            return "unknown weakness '" + name + "' (known: " + String.join(", ", acceptable()) + ")";
        }
        if (w.status() == Status.CLOSED) {
            return "'" + name + "' is closed, there is nothing to accept";
        }
        return null;
    }

    /** The open weaknesses a landlock launch with these paths has (grants: any path besides the agent home). */
    public static List<Weakness> openFor(ContainmentPolicy policy) {
        boolean grants = policy.paths().stream().anyMatch(p -> p.origin() != PathRule.Origin.AGENT_HOME);
        List<Weakness> open = new ArrayList<>();
        for (Weakness w : ALL.values()) {
            if (w.status() == Status.OPEN && (w.applies() == Applies.ALWAYS || grants)) {
                open.add(w);
            }
        }
        return open;
    }
}
