package dev.mcpcontain.platform.linux.seccomp;

import static java.util.Map.entry;

import java.util.Map;
import java.util.Set;

/**
 * x86_64 syscall numbers for the names the policy uses, from arch/x86/entry/syscalls/syscall_64.tbl ("common" and
 * "64" entries). SyscallTableHeaderTest checks every entry against the installed asm/unistd_64.h.
 */
final class X86_64Syscalls {

    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            entry("ioctl", 16),
            entry("socket", 41),
            entry("socketpair", 53),
            entry("clone", 56),
            entry("ptrace", 101),
            entry("syslog", 103),
            entry("uselib", 134),
            entry("personality", 135),
            entry("vhangup", 153),
            entry("modify_ldt", 154),
            entry("pivot_root", 155),
            entry("adjtimex", 159),
            entry("chroot", 161),
            entry("acct", 163),
            entry("settimeofday", 164),
            entry("mount", 165),
            entry("umount2", 166),
            entry("swapon", 167),
            entry("swapoff", 168),
            entry("reboot", 169),
            entry("sethostname", 170),
            entry("setdomainname", 171),
            entry("iopl", 172),
            entry("ioperm", 173),
            entry("init_module", 175),
            entry("delete_module", 176),
            entry("quotactl", 179),
            entry("nfsservctl", 180),
            entry("lookup_dcookie", 212),
            entry("clock_settime", 227),
            entry("mbind", 237),
            entry("set_mempolicy", 238),
            entry("get_mempolicy", 239),
            entry("kexec_load", 246),
            entry("add_key", 248),
            entry("request_key", 249),
            entry("keyctl", 250),
            entry("inotify_add_watch", 254),
            entry("migrate_pages", 256),
            entry("unshare", 272),
            entry("move_pages", 279),
            entry("perf_event_open", 298),
            entry("fanotify_init", 300),
            entry("name_to_handle_at", 303),
            entry("open_by_handle_at", 304),
            entry("clock_adjtime", 305),
            entry("setns", 308),
            entry("process_vm_readv", 310),
            entry("process_vm_writev", 311),
            entry("kcmp", 312),
            entry("finit_module", 313),
            entry("kexec_file_load", 320),
            entry("bpf", 321),
            entry("userfaultfd", 323),
            entry("io_uring_setup", 425),
            entry("io_uring_enter", 426),
            entry("io_uring_register", 427),
            entry("open_tree", 428),
            entry("move_mount", 429),
            entry("fsopen", 430),
            entry("fsconfig", 431),
            entry("fsmount", 432),
            entry("fspick", 433),
            entry("clone3", 435),
            entry("pidfd_getfd", 438),
            entry("mount_setattr", 442),
            entry("quotactl_fd", 443),
            entry("set_mempolicy_home_node", 450),
            entry("open_tree_attr", 467));

    /** Names the policy mentions that only the i386 table has; listed so a misspelt name is an error, not a skip. */
    static final Set<String> ABSENT = Set.of("umount", "stime");

    private X86_64Syscalls() {}
}
