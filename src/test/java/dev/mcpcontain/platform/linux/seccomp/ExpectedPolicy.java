package dev.mcpcontain.platform.linux.seccomp;

import static java.util.Map.entry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the filter must do, written out again from the specification rather than derived from SeccompPolicy, so
 * that the tests catch a rule dropped from or mis-typed in the policy. Values are literals from the kernel's
 * uapi headers (KernelConstantsTest checks the compiler's own copies against those headers).
 */
final class ExpectedPolicy {

    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int ENOSYS = 38;
    static final int EPROTONOSUPPORT = 93;
    static final int ESOCKTNOSUPPORT = 94;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;

    static final int ALLOW = 0x7fff0000;
    static final int KILL_PROCESS = 0x80000000;

    static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    static final int AUDIT_ARCH_AARCH64 = 0xc00000b7;
    static final int AUDIT_ARCH_I386 = 0x40000003;
    static final int AUDIT_ARCH_ARM = 0x40000028;

    static int errno(int errno) {
        return 0x00050000 | errno;
    }

    /** Syscalls denied whatever their arguments, with the errno each must return. */
    static final Map<String, Integer> DENIED = Map.ofEntries(
            entry("unshare", EPERM), entry("setns", EPERM), entry("mount", EPERM), entry("umount", EPERM),
            entry("umount2", EPERM), entry("pivot_root", EPERM), entry("chroot", EPERM),
            entry("mount_setattr", EPERM), entry("move_mount", EPERM), entry("open_tree", EPERM),
            entry("open_tree_attr", EPERM),
            entry("add_key", EPERM), entry("keyctl", EPERM), entry("request_key", EPERM),
            entry("ptrace", EPERM), entry("process_vm_readv", EPERM), entry("process_vm_writev", EPERM),
            entry("perf_event_open", EPERM), entry("pidfd_getfd", EPERM), entry("kcmp", EPERM),
            entry("bpf", EPERM), entry("userfaultfd", EPERM), entry("io_uring_setup", EPERM),
            entry("io_uring_enter", EPERM), entry("io_uring_register", EPERM), entry("kexec_load", EPERM),
            entry("kexec_file_load", EPERM), entry("init_module", EPERM), entry("finit_module", EPERM),
            entry("delete_module", EPERM), entry("open_by_handle_at", EPERM), entry("name_to_handle_at", EPERM),
            entry("fanotify_init", EPERM), entry("modify_ldt", EPERM), entry("uselib", EPERM),
            entry("syslog", EPERM), entry("acct", EPERM), entry("quotactl", EPERM), entry("quotactl_fd", EPERM),
            entry("swapon", EPERM), entry("swapoff", EPERM), entry("reboot", EPERM),
            entry("settimeofday", EPERM), entry("clock_settime", EPERM), entry("clock_adjtime", EPERM),
            entry("adjtimex", EPERM), entry("stime", EPERM), entry("sethostname", EPERM),
            entry("setdomainname", EPERM), entry("vhangup", EPERM), entry("mbind", EPERM),
            entry("migrate_pages", EPERM), entry("move_pages", EPERM), entry("set_mempolicy", EPERM),
            entry("get_mempolicy", EPERM), entry("set_mempolicy_home_node", EPERM),
            entry("lookup_dcookie", EPERM), entry("nfsservctl", EPERM), entry("iopl", EPERM),
            entry("ioperm", EPERM),
            entry("clone3", ENOSYS), entry("fsopen", ENOSYS), entry("fsconfig", ENOSYS),
            entry("fsmount", ENOSYS), entry("fspick", ENOSYS), entry("io_setup", ENOSYS),
            // setuid files and file capabilities: openat2's mode and every xattr name are behind pointers
            entry("openat2", ENOSYS),
            entry("setxattr", EOPNOTSUPP), entry("lsetxattr", EOPNOTSUPP), entry("fsetxattr", EOPNOTSUPP),
            entry("setxattrat", EOPNOTSUPP));

    /** Denied whatever their arguments in landlock isolation only (host IPC; metadata by path). */
    static final Map<String, Integer> LANDLOCK_DENIED = Map.ofEntries(
            entry("shmget", EPERM), entry("shmat", EPERM), entry("shmdt", EPERM), entry("shmctl", EPERM),
            entry("msgget", EPERM), entry("msgsnd", EPERM), entry("msgrcv", EPERM), entry("msgctl", EPERM),
            entry("semget", EPERM), entry("semop", EPERM), entry("semtimedop", EPERM), entry("semctl", EPERM),
            entry("mq_open", EPERM), entry("mq_unlink", EPERM), entry("mq_timedsend", EPERM),
            entry("mq_timedreceive", EPERM), entry("mq_notify", EPERM), entry("mq_getsetattr", EPERM),
            entry("chmod", EPERM), entry("fchmodat", EPERM), entry("fchmodat2", EPERM), entry("chown", EPERM),
            entry("lchown", EPERM), entry("fchownat", EPERM), entry("utime", EPERM), entry("utimes", EPERM),
            entry("futimesat", EPERM), entry("removexattr", EPERM), entry("lremovexattr", EPERM),
            entry("removexattrat", EPERM), entry("inotify_add_watch", EACCES),
            entry("listmount", ENOSYS), entry("statmount", ENOSYS),
            entry("getxattr", EOPNOTSUPP), entry("lgetxattr", EOPNOTSUPP), entry("listxattr", EOPNOTSUPP),
            entry("llistxattr", EOPNOTSUPP), entry("getxattrat", EOPNOTSUPP), entry("listxattrat", EOPNOTSUPP));

    /** Denied whatever their arguments in landlock isolation without network (the host's abstract unix names). */
    static final Map<String, Integer> LANDLOCK_NONE_DENIED = Map.of("bind", EPERM, "connect", EPERM);

    /** Syscalls with a file mode: S_ISUID or S_ISGID in it is EPERM, in every mode. Value: the mode's index. */
    static final Map<String, Integer> MODE_ARGUMENT = Map.ofEntries(
            entry("chmod", 1), entry("fchmod", 1), entry("fchmodat", 2), entry("fchmodat2", 2), entry("open", 2),
            entry("openat", 3), entry("creat", 1), entry("mkdir", 1), entry("mkdirat", 2), entry("mknod", 1),
            entry("mknodat", 2));

    /** Argument-checked in landlock isolation only: the "self" forms and utimensat's descriptor form. */
    static final Set<String> LANDLOCK_ARGUMENT_CHECKED = Set.of("utimensat", "prlimit64", "sched_setaffinity",
            "sched_setscheduler", "sched_setparam", "sched_setattr", "setpriority", "getpriority", "ioprio_set");

    /** Syscalls whose arguments decide; the sweep over "everything else" leaves them to their own tests. */
    static final Set<String> ARGUMENT_CHECKED = Set.of("clone", "personality", "ioctl", "fallocate", "socket", "socketpair",
            "chmod", "fchmod", "fchmodat", "fchmodat2", "open", "openat", "creat", "mkdir", "mkdirat", "mknod",
            "mknodat");

    /** Every name the policy rules on (plainly or by argument) in OPTIONS, for the "everything else runs" sweep. */
    static Set<String> ruled(SeccompOptions options) {
        Set<String> names = new java.util.HashSet<>(DENIED.keySet());
        names.addAll(ARGUMENT_CHECKED);
        if (options.isolation() == SeccompOptions.Isolation.LANDLOCK) {
            names.addAll(LANDLOCK_DENIED.keySet());
            names.addAll(LANDLOCK_ARGUMENT_CHECKED);
            if (options.networkNone()) {
                names.addAll(LANDLOCK_NONE_DENIED.keySet());
                names.add("setsockopt");
            }
        }
        return names;
    }

    /** The plain denials in OPTIONS: name to errno. */
    static Map<String, Integer> denied(SeccompOptions options) {
        Map<String, Integer> all = new java.util.HashMap<>(DENIED);
        if (options.isolation() == SeccompOptions.Isolation.LANDLOCK) {
            all.putAll(LANDLOCK_DENIED);
            if (options.networkNone()) {
                all.putAll(LANDLOCK_NONE_DENIED);
            }
        }
        return all;
    }

    /** Denied names that do not exist on an architecture (and so cannot be called there). */
    static final Map<Arch, Set<String>> ABSENT = Map.of(
            Arch.X86_64, Set.of("umount", "stime"),
            Arch.AARCH64, Set.of("umount", "stime", "modify_ldt", "uselib", "iopl", "ioperm", "open", "creat",
                    "mkdir", "mknod", "chmod", "chown", "lchown", "utime", "utimes", "futimesat"));

    /** A few ordinary syscalls the positive tests call, per architecture (checked against the headers too). */
    static final Map<Arch, Map<String, Integer>> ORDINARY = Map.of(
            Arch.X86_64, Map.of("read", 0, "write", 1, "openat", 257, "execve", 59, "getpid", 39),
            Arch.AARCH64, Map.of("read", 63, "write", 64, "openat", 56, "execve", 221, "getpid", 172));

    static int auditArch(Arch arch) {
        return arch == Arch.X86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
    }

    /** The syscall number, from the compiler's table (itself checked against the kernel headers). */
    static int nr(Arch arch, String name) {
        Integer ordinary = ORDINARY.get(arch).get(name);
        return ordinary != null ? ordinary : SyscallTable.number(arch, name).orElseThrow();
    }

    /** Runs the compiled filter on one native syscall. */
    static int action(SeccompOptions options, String syscall, long... args) {
        return ClassicBpfInterpreter.run(program(options), auditArch(options.arch()), nr(options.arch(), syscall),
                args);
    }

    static byte[] program(SeccompOptions options) {
        return PROGRAMS.computeIfAbsent(options, SeccompCompiler::compile);
    }

    private static final Map<SeccompOptions, byte[]> PROGRAMS = new ConcurrentHashMap<>();

    private ExpectedPolicy() {}
}
