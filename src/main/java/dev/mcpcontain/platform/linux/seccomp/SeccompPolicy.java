package dev.mcpcontain.platform.linux.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The deny-list itself, synthesised from Flatpak, firejail, Codex and sandbox-runtime. Default ALLOW: the filter
 * removes the kernel interfaces a contained server has no business using and that sandbox escapes are built from;
 * Landlock and the namespaces do the rest.
 */
final class SeccompPolicy {

    // linux/resource.h, linux/ioprio.h
    static final int PRIO_PROCESS = 0;
    static final int IOPRIO_WHO_PROCESS = 1;

    /** Every syscall that sets a file mode, with the index of its mode argument. */
    static final List<DenySetidMode> SETID_MODES = List.of(
            new DenySetidMode("chmod", 1), new DenySetidMode("fchmod", 1), new DenySetidMode("fchmodat", 2),
            new DenySetidMode("fchmodat2", 2),
            new DenySetidMode("open", 2), new DenySetidMode("openat", 3), new DenySetidMode("creat", 1),
            new DenySetidMode("mkdir", 1), new DenySetidMode("mkdirat", 2),
            new DenySetidMode("mknod", 1), new DenySetidMode("mknodat", 2));

    private static final Set<String> PATH_CHMOD = Set.of("chmod", "fchmodat", "fchmodat2");

    private SeccompPolicy() {}

    /** The rules in program order: the architecture checks first, the default last. */
    static List<FilterRule> rules(SeccompOptions options) {
        List<FilterRule> rules = new ArrayList<>();
        rules.add(new ArchitectureCheck());
        rules.add(new X32Guard());

        deny(rules, Errno.EPERM, "namespaces and mounts",
                "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
                "mount_setattr", "move_mount", "open_tree",
                // Linux 6.15: open_tree with mount attributes; the same hole as open_tree.
                "open_tree_attr");
        // ENOSYS, not EPERM: clone3's flags are behind a pointer the filter cannot read, so it cannot tell a
        // thread from a new user namespace. ENOSYS makes glibc (and other runtimes) fall back to clone, whose
        // flags are in a register and checked by DenyNamespaceClone; EPERM would make them fail outright.
        // The new mount API gets the same answer so that libmount falls back to mount(2), which is denied.
        deny(rules, Errno.ENOSYS, "clone3 and the new mount API (callers fall back)",
                "clone3", "fsopen", "fsconfig", "fsmount", "fspick");
        deny(rules, Errno.EPERM, "kernel keyrings",
                "add_key", "keyctl", "request_key");
        deny(rules, Errno.EPERM, "debugging other processes",
                "ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open", "pidfd_getfd", "kcmp");
        deny(rules, Errno.EPERM, "kernel attack surface",
                "bpf", "userfaultfd",
                // io_uring also bypasses seccomp: IORING_OP_SOCKET and friends never pass through this filter.
                "io_uring_setup", "io_uring_enter", "io_uring_register",
                "open_by_handle_at", "name_to_handle_at", "fanotify_init",
                "modify_ldt", "uselib", "lookup_dcookie", "nfsservctl", "iopl", "ioperm");
        // Legacy AIO: every io_setup draws from fs.aio-max-nr, one counter for the whole host (65536 events by
        // default, no per-user or per-namespace share, no capability bypass): one server took all of it and every
        // other process of the host, root's databases included, got EAGAIN. ENOSYS is a kernel without AIO, which
        // libaio users already handle (they fall back to threads); nothing of the contained world needs it.
        deny(rules, Errno.ENOSYS, "legacy AIO (fs.aio-max-nr is one host-wide pool; callers fall back)", "io_setup");
        deny(rules, Errno.EPERM, "host administration",
                "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                "syslog", "acct", "quotactl", "quotactl_fd", "swapon", "swapoff", "reboot",
                "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
                "sethostname", "setdomainname", "vhangup");
        deny(rules, Errno.EPERM, "NUMA memory placement",
                "mbind", "migrate_pages", "move_pages", "set_mempolicy", "get_mempolicy",
                "set_mempolicy_home_node");

        // Setuid/setgid files and file capabilities (issue 7), in every mode. openat2's mode is in a struct the
        // filter cannot read: ENOSYS makes glibc, Go, Rust and libuv fall back to openat, whose mode is checked.
        deny(rules, Errno.ENOSYS, "openat2: its mode is behind a pointer; callers fall back to openat", "openat2");
        // Setting any extended attribute fails: the name (security.capability, the file-capability attribute) is
        // behind a pointer too, so the filter cannot single it out, and failing closed beats guessing. EOPNOTSUPP is
        // what a filesystem without xattrs answers, which cp -a, rsync and tar already take as "skip the xattrs".
        // Removing attributes grants nothing, so fremovexattr stays (the path forms go in landlock isolation).
        deny(rules, Errno.EOPNOTSUPP, "setting xattrs (file capabilities); EOPNOTSUPP as without xattr support",
                "setxattr", "lsetxattr", "fsetxattr", "setxattrat");

        if (options.sharedHost()) {
            // No IPC namespace: every SysV object and message queue of the host would be there to open.
            deny(rules, Errno.EPERM, "host SysV IPC and POSIX message queues (no IPC namespace)",
                    "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
                    "semget", "semop", "semtimedop", "semctl",
                    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr");
            // Landlock has no access right for modes, owners, timestamps or xattrs: the path forms would change
            // them outside the grants and in read-only grants. The descriptor forms (fchmod, fchown, futimens,
            // fremovexattr) need a file Landlock let the server open, and stay.
            deny(rules, Errno.EPERM, "metadata by path (Landlock has no right for it; descriptor forms stay)",
                    "chmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchownat",
                    "utime", "utimes", "futimesat", "removexattr", "lremovexattr", "removexattrat");
            // Landlock does not cover inotify: a watch on any folder the uid may read would reveal the names
            // created there. EACCES, as for a folder one may not read; file watching is unavailable in this mode.
            deny(rules, Errno.EACCES, "inotify outside the grants (Landlock does not cover it)", "inotify_add_watch");
            // Landlock has no right for reading extended attributes either: by path they showed the values of files
            // outside the grants (browsers record a download's URL in user.xdg.origin.url). EOPNOTSUPP, as on a
            // filesystem without xattrs, which cp -a, rsync, tar and Python's copystat skip quietly. The descriptor
            // forms stay: they need a file Landlock let the server open (an O_PATH descriptor is EBADF there).
            deny(rules, Errno.EOPNOTSUPP, "reading xattrs by path (Landlock has no right for it; descriptor forms stay)",
                    "getxattr", "lgetxattr", "listxattr", "llistxattr", "getxattrat", "listxattrat");
            // The mount table is the host's: listmount/statmount would list every mount point (other users'
            // runtime folders, removable media, secrets mounted for services) that /proc/self/mountinfo, refused
            // by the Landlock rules, would show. ENOSYS, as on kernels before 6.8: libmount falls back to mountinfo.
            deny(rules, Errno.ENOSYS, "the host's mount table (listmount/statmount; /proc/self/mountinfo is refused too)",
                    "listmount", "statmount");
            if (options.networkNone()) {
                // No network: the only sockets are socketpairs, and they live in the host's network namespace. bind
                // would take any free name in the host's abstract namespace (a name a host service binds later, an X
                // display), and connect or bind with an empty address would autobind one; neither has any use on a
                // connected pair. SO_PASSCRED/SO_PASSPIDFD autobind on send (see DenySocketOption).
                deny(rules, Errno.EPERM, "binding names in the host's abstract unix namespace (network none)",
                        "bind", "connect");
                rules.add(new DenySocketOption(DenySocketOption.SOL_SOCKET,
                        List.of(DenySocketOption.SO_PASSCRED, DenySocketOption.SO_PASSPIDFD),
                        "SO_PASSCRED, SO_PASSPIDFD: autobind in the host's abstract unix namespace"));
            }
        }

        rules.add(new DenyNamespaceClone());
        rules.add(new RestrictPersonality());
        rules.add(new DenyPreallocation()); // before the terminal rule: both look at ioctl
        if (options.hostInterfacesHidden()) {
            rules.add(new DenyInterfaceIoctl());
        }
        rules.add(new DenyTerminalInjection());
        if (options.sharedHost()) {
            rules.add(new RestrictSocketFamilies("socket", options.networkNone(), RestrictSocketFamilies.Unix.DENIED,
                    false));
            rules.add(new RestrictSocketFamilies("socketpair", options.networkNone(),
                    RestrictSocketFamilies.Unix.CONNECTED, false));
        } else {
            rules.add(new RestrictSocketFamilies("socket", options.networkNone()));
            rules.add(new RestrictSocketFamilies("socketpair", options.networkNone()));
        }

        for (DenySetidMode rule : SETID_MODES) {
            // In landlock isolation the path-based chmod calls are denied outright above.
            if (!(options.sharedHost() && PATH_CHMOD.contains(rule.syscall()))) {
                rules.add(rule);
            }
        }

        if (options.sharedHost()) {
            rules.add(new DenyPathForm("utimensat", 1));
            rules.add(OnlySelf.pidArg("prlimit64", 0));
            rules.add(OnlySelf.pidArg("sched_setaffinity", 0));
            rules.add(OnlySelf.pidArg("sched_setscheduler", 0));
            rules.add(OnlySelf.pidArg("sched_setparam", 0));
            rules.add(OnlySelf.pidArg("sched_setattr", 0));
            for (String priority : List.of("setpriority", "getpriority")) {
                rules.add(new OnlySelf(priority, List.of(
                        new OnlySelf.Required(0, PRIO_PROCESS, "== 0 (PRIO_PROCESS)"),
                        new OnlySelf.Required(1, 0, "== 0 (self)"))));
            }
            rules.add(new OnlySelf("ioprio_set", List.of(
                    new OnlySelf.Required(0, IOPRIO_WHO_PROCESS, "== 1 (IOPRIO_WHO_PROCESS)"),
                    new OnlySelf.Required(1, 0, "== 0 (self)"))));
        }

        rules.add(new DefaultAllow());
        return List.copyOf(rules);
    }

    private static void deny(List<FilterRule> rules, Errno errno, String reason, String... syscalls) {
        for (String syscall : syscalls) {
            rules.add(new DenySyscall(syscall, errno, reason));
        }
    }
}
