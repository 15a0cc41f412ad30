package dev.mcpcontain.platform.linux.seccomp;

import static java.util.Map.entry;

import java.util.Map;
import java.util.Set;

/**
 * aarch64 syscall numbers for the names the policy uses, from include/uapi/asm-generic/unistd.h (which arm64
 * uses for its native table). SyscallTableHeaderTest checks every entry against the installed header.
 */
final class Aarch64Syscalls {

    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            entry("io_setup", 0),
            entry("setxattr", 5),
            entry("lsetxattr", 6),
            entry("fsetxattr", 7),
            entry("removexattr", 14),
            entry("lremovexattr", 15),
            entry("lookup_dcookie", 18),
            entry("inotify_add_watch", 27),
            entry("ioctl", 29),
            entry("ioprio_set", 30),
            entry("mknodat", 33),
            entry("mkdirat", 34),
            entry("umount2", 39),
            entry("mount", 40),
            entry("pivot_root", 41),
            // asm-generic reserves 42 for nfsservctl (wired to sys_ni_syscall, as x86_64's 180 is); denying it
            // costs nothing and keeps both architectures' filters the same shape.
            entry("nfsservctl", 42),
            entry("chroot", 51),
            entry("fchmod", 52),
            entry("fchmodat", 53),
            entry("fchownat", 54),
            entry("openat", 56),
            entry("vhangup", 58),
            entry("quotactl", 60),
            entry("utimensat", 88),
            entry("acct", 89),
            entry("personality", 92),
            entry("unshare", 97),
            entry("kexec_load", 104),
            entry("init_module", 105),
            entry("delete_module", 106),
            entry("clock_settime", 112),
            entry("syslog", 116),
            entry("ptrace", 117),
            entry("sched_setparam", 118),
            entry("sched_setscheduler", 119),
            entry("sched_setaffinity", 122),
            entry("setpriority", 140),
            entry("getpriority", 141),
            entry("reboot", 142),
            entry("sethostname", 161),
            entry("setdomainname", 162),
            entry("settimeofday", 170),
            entry("adjtimex", 171),
            entry("mq_open", 180),
            entry("mq_unlink", 181),
            entry("mq_timedsend", 182),
            entry("mq_timedreceive", 183),
            entry("mq_notify", 184),
            entry("mq_getsetattr", 185),
            entry("msgget", 186),
            entry("msgctl", 187),
            entry("msgrcv", 188),
            entry("msgsnd", 189),
            entry("semget", 190),
            entry("semctl", 191),
            entry("semtimedop", 192),
            entry("semop", 193),
            entry("shmget", 194),
            entry("shmctl", 195),
            entry("shmat", 196),
            entry("shmdt", 197),
            entry("socket", 198),
            entry("socketpair", 199),
            entry("add_key", 217),
            entry("request_key", 218),
            entry("keyctl", 219),
            entry("clone", 220),
            entry("swapon", 224),
            entry("swapoff", 225),
            entry("mbind", 235),
            entry("get_mempolicy", 236),
            entry("set_mempolicy", 237),
            entry("migrate_pages", 238),
            entry("move_pages", 239),
            entry("perf_event_open", 241),
            entry("prlimit64", 261),
            entry("fanotify_init", 262),
            entry("name_to_handle_at", 264),
            entry("open_by_handle_at", 265),
            entry("clock_adjtime", 266),
            entry("setns", 268),
            entry("process_vm_readv", 270),
            entry("process_vm_writev", 271),
            entry("kcmp", 272),
            entry("finit_module", 273),
            entry("sched_setattr", 274),
            entry("bpf", 280),
            entry("userfaultfd", 282),
            entry("kexec_file_load", 294),
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
            entry("openat2", 437),
            entry("pidfd_getfd", 438),
            entry("mount_setattr", 442),
            entry("quotactl_fd", 443),
            entry("set_mempolicy_home_node", 450),
            entry("fchmodat2", 452),
            entry("setxattrat", 463),
            entry("removexattrat", 466),
            entry("open_tree_attr", 467));

    /**
     * Names the policy mentions that arm64 never had (x86-only or legacy calls); listed so a misspelt name is an
     * error, not a silent skip.
     */
    static final Set<String> ABSENT = Set.of("umount", "stime", "modify_ldt", "uselib", "iopl", "ioperm",
            // the legacy path calls asm-generic replaced with their *at forms
            "open", "creat", "mkdir", "mknod", "chmod", "chown", "lchown", "utime", "utimes", "futimesat");

    private Aarch64Syscalls() {}
}
