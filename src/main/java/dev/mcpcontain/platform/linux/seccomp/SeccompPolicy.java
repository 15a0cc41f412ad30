package dev.mcpcontain.platform.linux.seccomp;

import java.util.ArrayList;
import java.util.List;

/**
 * The deny-list itself, synthesised from Flatpak, firejail, Codex and sandbox-runtime. Default ALLOW: the filter
 * removes the kernel interfaces a contained server has no business using and that sandbox escapes are built from;
 * Landlock and the namespaces do the rest.
 */
final class SeccompPolicy {

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
        deny(rules, Errno.EPERM, "host administration",
                "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                "syslog", "acct", "quotactl", "quotactl_fd", "swapon", "swapoff", "reboot",
                "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
                "sethostname", "setdomainname", "vhangup");
        deny(rules, Errno.EPERM, "NUMA memory placement",
                "mbind", "migrate_pages", "move_pages", "set_mempolicy", "get_mempolicy",
                "set_mempolicy_home_node");

        if (options.unixDenied()) {
            // No mount namespace (landlock isolation): Landlock does not cover inotify, so a watch on any folder
            // the uid may read would reveal the names created there. EACCES, as for a folder one may not read.
            deny(rules, Errno.EACCES, "inotify without a mount namespace", "inotify_add_watch");
        }
        rules.add(new DenyNamespaceClone());
        rules.add(new RestrictPersonality());
        rules.add(new DenyTerminalInjection());
        rules.add(new RestrictSocketFamilies("socket", options.networkNone(), options.unixDenied()));
        rules.add(new RestrictSocketFamilies("socketpair", options.networkNone()));

        rules.add(new DefaultAllow());
        return List.copyOf(rules);
    }

    private static void deny(List<FilterRule> rules, Errno errno, String reason, String... syscalls) {
        for (String syscall : syscalls) {
            rules.add(new DenySyscall(syscall, errno, reason));
        }
    }
}
