/* System calls: the errno fingerprint of the seccomp deny-list, foreign ABIs (i386 int 0x80, x32), and real
 * attempts at nesting (new namespaces, mounts, chroot, the new mount API).
 *
 * Fingerprinting: every denied call is made with arguments the kernel rejects early and harmlessly (a bad pointer,
 * a bad descriptor, invalid flags), so that outside the filter it fails with EFAULT, EBADF, EINVAL, ESRCH, ...
 * and changes nothing, even as root; under the filter it fails with the policy's errno before the kernel looks at
 * the arguments. The two answers differ, which tells the filter's answer from the kernel's. Every call runs in a
 * child, so even an unexpected success cannot disturb the probe. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* Linux 6.6 */
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463 /* Linux 6.13 */
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466 /* Linux 6.13 */
#endif
#ifndef SYS_statmount
#define SYS_statmount 457 /* Linux 6.8, same number on every architecture */
#endif
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467 /* Linux 6.15, same number on every architecture */
#endif

/* An address no process maps: page zero plus one. */
#define BAD ((long)1)
/* Flags no syscall accepts. */
#define BAD_FLAGS ((long)0x7fffff00)

struct fingerprint {
    const char *name;
    long nr;            /* -1: not a syscall on this architecture */
    long args[6];
    unsigned flags;
};

#define F_NEW_SESSION 1u         /* vhangup: only ever run without a controlling terminal */
#define F_RESTORE_PERSONALITY 2u
#define F_INT_RESULT 4u          /* modify_ldt returns int: -ENOSYS arrives as 4294967258 in the 64-bit register */

#define NR(x) SYS_##x
#define A(...) {__VA_ARGS__}

static const struct fingerprint fingerprints[] = {
    /* namespaces and mounts */
    {"unshare", NR(unshare), A(0x1), 0},                       /* not an unshare flag: EINVAL */
    {"setns", NR(setns), A(-1, 0), 0},                        /* EBADF */
    {"mount", NR(mount), A(BAD, BAD, BAD, 0, 0), 0},          /* EFAULT */
    {"umount2", NR(umount2), A(BAD, BAD_FLAGS), 0},           /* EINVAL */
    {"pivot_root", NR(pivot_root), A(BAD, BAD), 0},           /* EFAULT (root), EPERM (user) */
    {"chroot", NR(chroot), A(BAD), 0},                        /* EFAULT */
    {"mount_setattr", NR(mount_setattr), A(-1, BAD, BAD_FLAGS, BAD, 0), 0},
    {"move_mount", NR(move_mount), A(-1, BAD, -1, BAD, BAD_FLAGS), 0},
    {"open_tree", NR(open_tree), A(-1, BAD, BAD_FLAGS), 0},
    {"open_tree_attr", SYS_open_tree_attr, A(-1, BAD, BAD_FLAGS, BAD, 0), 0},
    /* clone3 and the new mount API */
    {"clone3", NR(clone3), A(BAD, 0), 0},                     /* size 0: EINVAL */
    {"fsopen", NR(fsopen), A(BAD, BAD_FLAGS), 0},
    {"fsconfig", NR(fsconfig), A(-1, 0, 0, 0, 0), 0},
    {"fsmount", NR(fsmount), A(-1, BAD_FLAGS, 0), 0},
    {"fspick", NR(fspick), A(-1, BAD, BAD_FLAGS), 0},
    /* keyrings */
    {"add_key", NR(add_key), A(BAD, BAD, 0, 0, 0), 0},
    {"keyctl", NR(keyctl), A(0x7fff, 0, 0, 0, 0), 0},         /* no such operation: EOPNOTSUPP */
    {"request_key", NR(request_key), A(BAD, BAD, 0, 0), 0},
    /* debugging other processes */
    {"ptrace", NR(ptrace), A(16 /* PTRACE_ATTACH */, -1, 0, 0), 0}, /* no pid -1: ESRCH */
    {"process_vm_readv", NR(process_vm_readv), A(0, 0, 0, 0, 0, BAD_FLAGS), 0},
    {"process_vm_writev", NR(process_vm_writev), A(0, 0, 0, 0, 0, BAD_FLAGS), 0},
    {"perf_event_open", NR(perf_event_open), A(BAD, 0, -1, -1, BAD_FLAGS), 0},
    {"pidfd_getfd", NR(pidfd_getfd), A(-1, 0, 0), 0},
    {"kcmp", NR(kcmp), A(0, 0, 0x7fff, 0, 0), 0},
    /* kernel attack surface */
    {"bpf", NR(bpf), A(0x7fff, BAD, 0), 0},
    {"userfaultfd", NR(userfaultfd), A(BAD_FLAGS), 0},
    {"io_uring_setup", NR(io_uring_setup), A(1, BAD), 0},
    {"io_setup", NR(io_setup), A(1, BAD), 0},                 /* EFAULT reading the context: nothing allocated */
    {"io_uring_enter", NR(io_uring_enter), A(-1, 0, 0, 0, 0, 0), 0},
    {"io_uring_register", NR(io_uring_register), A(-1, 0, 0, 0), 0},
    {"open_by_handle_at", NR(open_by_handle_at), A(-1, BAD, 0), 0},
    {"name_to_handle_at", NR(name_to_handle_at), A(-1, BAD, BAD, BAD, BAD_FLAGS), 0},
    {"fanotify_init", NR(fanotify_init), A(BAD_FLAGS, 0), 0},
#ifdef __x86_64__
    {"modify_ldt", NR(modify_ldt), A(0x7fff, 0, 0), F_INT_RESULT},      /* no such function: ENOSYS/EINVAL */
    {"uselib", NR(uselib), A(BAD), 0},
    {"iopl", NR(iopl), A(99), 0},                             /* level > 3: EINVAL */
    {"ioperm", NR(ioperm), A(0xffffff, 0x10000, 0), 0},      /* beyond the I/O space: EINVAL */
#else
    {"modify_ldt", -1, A(0), 0},
    {"uselib", -1, A(0), 0},
    {"iopl", -1, A(0), 0},
    {"ioperm", -1, A(0), 0},
#endif
    {"lookup_dcookie", NR(lookup_dcookie), A(0, BAD, 0), 0},
#ifdef SYS_nfsservctl
    {"nfsservctl", NR(nfsservctl), A(0, BAD, BAD), 0},
#else
    {"nfsservctl", -1, A(0), 0},
#endif
    /* host administration */
    {"kexec_load", NR(kexec_load), A(0, 0, 0, BAD_FLAGS), 0},
    {"kexec_file_load", NR(kexec_file_load), A(-1, -1, 0, 0, BAD_FLAGS), 0},
    {"init_module", NR(init_module), A(BAD, 0, BAD), 0},      /* empty image: ENOEXEC/EFAULT */
    {"finit_module", NR(finit_module), A(-1, BAD, BAD_FLAGS), 0},
    {"delete_module", NR(delete_module), A(BAD, 0), 0},
    {"syslog", NR(syslog), A(0x7fff, 0, 0), 0},               /* no such action */
    {"acct", NR(acct), A(BAD), 0},                            /* never NULL: that would stop accounting */
    {"quotactl", NR(quotactl), A(0x7fffffff, BAD, 0, BAD), 0},
    {"quotactl_fd", NR(quotactl_fd), A(-1, 0, 0, BAD), 0},
    {"swapon", NR(swapon), A(BAD, 0), 0},
    {"swapoff", NR(swapoff), A(BAD), 0},
    {"reboot", NR(reboot), A(0, 0, 0, 0), 0},                 /* wrong magic: EINVAL */
    {"settimeofday", NR(settimeofday), A(BAD, 0), 0},
    {"clock_settime", NR(clock_settime), A(0, BAD), 0},
    {"clock_adjtime", NR(clock_adjtime), A(0, BAD), 0},
    {"adjtimex", NR(adjtimex), A(BAD), 0},
    {"sethostname", NR(sethostname), A(BAD, 4), 0},
    {"setdomainname", NR(setdomainname), A(BAD, 4), 0},
    {"vhangup", NR(vhangup), A(0), F_NEW_SESSION},                          /* in a new session: no terminal to hang up */
    /* NUMA */
    {"mbind", NR(mbind), A(1, 4096, 0, 0, 0, 0), 0},          /* unaligned start: EINVAL */
    {"migrate_pages", NR(migrate_pages), A(0, -1, BAD, BAD), 0}, /* huge maxnode: EINVAL */
    {"move_pages", NR(move_pages), A(0, 1, BAD, 0, BAD, BAD_FLAGS), 0},
    {"set_mempolicy", NR(set_mempolicy), A(0x7fff, 0, 0), 0},
    {"get_mempolicy", NR(get_mempolicy), A(0, 0, 0, 0, BAD_FLAGS), 0},
    {"set_mempolicy_home_node", NR(set_mempolicy_home_node), A(1, 4096, 0, 0), 0},
    /* setuid files and file capabilities (every mode): a bad path or name pointer is EFAULT unfiltered */
    {"openat2", NR(openat2), A(AT_FDCWD, BAD, BAD, 24), 0},
    {"setxattr", NR(setxattr), A(BAD, BAD, BAD, 0, 0), 0},
    {"lsetxattr", NR(lsetxattr), A(BAD, BAD, BAD, 0, 0), 0},
    {"fsetxattr", NR(fsetxattr), A(-1, BAD, BAD, 0, 0), 0},
    {"setxattrat", SYS_setxattrat, A(-1, BAD, 0, BAD, BAD, 16), 0},
    /* landlock isolation: host SysV IPC and message queues (a key nobody uses, ids that do not exist) */
    {"inotify_add_watch", NR(inotify_add_watch), A(-1, BAD, 0), 0}, /* empty mask: EINVAL */
    {"shmget", NR(shmget), A(0x7ffffff1, 1, 0), 0},           /* ENOENT */
    {"shmat", NR(shmat), A(-1, 0, 0), 0},                      /* EINVAL */
    {"shmdt", NR(shmdt), A(BAD), 0},                           /* EINVAL */
    {"shmctl", NR(shmctl), A(-1, 2 /* IPC_STAT */, BAD), 0},
    {"msgget", NR(msgget), A(0x7ffffff1, 0), 0},
    {"msgsnd", NR(msgsnd), A(-1, BAD, 0, 0), 0},
    {"msgrcv", NR(msgrcv), A(-1, BAD, 0, 0, 0), 0},
    {"msgctl", NR(msgctl), A(-1, 2, BAD), 0},
    {"semget", NR(semget), A(0x7ffffff1, 1, 0), 0},
    {"semop", NR(semop), A(-1, BAD, 1), 0},
    {"semtimedop", NR(semtimedop), A(-1, BAD, 1, 0), 0},
    {"semctl", NR(semctl), A(-1, 0, 2, 0), 0},
    {"mq_open", NR(mq_open), A(BAD, 0, 0, 0), 0},              /* EFAULT */
    {"mq_unlink", NR(mq_unlink), A(BAD), 0},
    {"mq_timedsend", NR(mq_timedsend), A(-1, BAD, 0, 0, 0), 0}, /* EBADF */
    {"mq_timedreceive", NR(mq_timedreceive), A(-1, BAD, 0, 0, 0), 0},
    {"mq_notify", NR(mq_notify), A(-1, 0), 0},
    {"mq_getsetattr", NR(mq_getsetattr), A(-1, 0, 0), 0},
    /* landlock isolation: metadata by path (bad path pointers: EFAULT) */
#ifdef SYS_chmod
    {"chmod", NR(chmod), A(BAD, 0755), 0},
    {"chown", NR(chown), A(BAD, -1, -1), 0},
    {"lchown", NR(lchown), A(BAD, -1, -1), 0},
    {"utime", NR(utime), A(BAD, 0), 0},
    {"utimes", NR(utimes), A(BAD, 0), 0},
    {"futimesat", NR(futimesat), A(AT_FDCWD, BAD, 0), 0},
#else
    {"chmod", -1, A(0), 0},
    {"chown", -1, A(0), 0},
    {"lchown", -1, A(0), 0},
    {"utime", -1, A(0), 0},
    {"utimes", -1, A(0), 0},
    {"futimesat", -1, A(0), 0},
#endif
    {"fchmodat", NR(fchmodat), A(AT_FDCWD, BAD, 0755), 0},
    {"fchmodat2", SYS_fchmodat2, A(AT_FDCWD, BAD, 0755, 0), 0},
    {"fchownat", NR(fchownat), A(AT_FDCWD, BAD, -1, -1, 0), 0},
    {"removexattr", NR(removexattr), A(BAD, BAD), 0},
    {"lremovexattr", NR(lremovexattr), A(BAD, BAD), 0},
    {"removexattrat", SYS_removexattrat, A(-1, BAD, 0, BAD), 0},
    {"statmount", SYS_statmount, A(BAD, BAD, 64, 0), 0},   /* unconfined: EFAULT (or ENOSYS before 6.8) */
    {"listmount", SYS_listmount, A(BAD, BAD, 16, 0), 0},
    {"bind", NR(bind), A(-1, BAD, 2), 0},                 /* unconfined: EBADF */
    {"getxattr", NR(getxattr), A(BAD, BAD, 0, 0), 0},     /* unconfined: EFAULT */
    {"lgetxattr", NR(lgetxattr), A(BAD, BAD, 0, 0), 0},
    {"listxattr", NR(listxattr), A(BAD, 0, 0), 0},
    {"llistxattr", NR(llistxattr), A(BAD, 0, 0), 0},
    {"getxattrat", 464, A(-1, BAD, 0, BAD, BAD, 32), 0},  /* Linux 6.13; unconfined: EBADF or EFAULT */
    {"listxattrat", 465, A(-1, BAD, 0, 0, 0), 0},
    {"connect", NR(connect), A(-1, BAD, 2), 0},
    /* argument-checked rules */
    {"clone", NR(clone), A(CLONE_NEWUSER | CLONE_FS, 0, 0, 0, 0), 0}, /* invalid pair: EINVAL */
    {"personality", NR(personality), A(0x0008 /* PER_LINUX32 */), F_RESTORE_PERSONALITY},
    {"ioctl-TIOCSTI", NR(ioctl), A(-1, 0x5412, 0), 0},        /* EBADF */
    {"ioctl-TIOCSTI-high", NR(ioctl), A(-1, (long)0xffffffff00005412UL, 0), 0},
    {"ioctl-TIOCLINUX", NR(ioctl), A(-1, 0x541c, 0), 0},
    {"ioctl-TIOCLINUX-high", NR(ioctl), A(-1, (long)0xffffffff0000541cUL, 0), 0},
};

static long run_fingerprint(const struct step *s, void *arg)
{
    const struct fingerprint *f = arg;
    (void)s;
    if ((f->flags & F_NEW_SESSION) && setsid() < 0)
        _exit(4);
    long ret = syscall(f->nr, f->args[0], f->args[1], f->args[2], f->args[3], f->args[4], f->args[5]);
    int err = errno;
    if ((f->flags & F_INT_RESULT) && ret >= 0 && (int)ret < 0 && (int)ret > -4096) {
        err = -(int)ret;
        ret = -1;
    }
    if ((f->flags & F_RESTORE_PERSONALITY) && ret >= 0)
        personality(PER_LINUX);
    if (f->nr == SYS_io_uring_setup && ret >= 0)
        close((int)ret);
    errno = err;
    return ret;
}

static void cmd_syscall(const struct step *s)
{
    for (size_t i = 0; i < sizeof fingerprints / sizeof fingerprints[0]; i++) {
        if (strcmp(fingerprints[i].name, s->argv[1]) == 0) {
            if (fingerprints[i].nr < 0) {
                error(s, "%s is not a syscall on this architecture", s->argv[1]);
                return;
            }
            in_child(s, run_fingerprint, (void *)&fingerprints[i]);
            return;
        }
    }
    error(s, "no fingerprint for syscall '%s' (add one to native/probe/syscalls.c)", s->argv[1]);
}

static void cmd_syscall_names(const struct step *s)
{
    char out[1000] = "";
    for (size_t i = 0; i < sizeof fingerprints / sizeof fingerprints[0]; i++) {
        if (strlen(out) + strlen(fingerprints[i].name) + 2 < sizeof out) {
            if (i)
                strcat(out, ",");
            strcat(out, fingerprints[i].name);
        }
    }
    value(s, "%s", out);
}

/* socket(DOMAIN, TYPE, PROTOCOL) through the raw syscall, so a domain with high bits set reaches the filter. */
static long run_socket(const struct step *s, void *arg)
{
    (void)arg;
    unsigned long domain, type, protocol;
    if (!parse_ulong(s->argv[1], &domain) || !parse_ulong(s->argv[2], &type) || !parse_ulong(s->argv[3], &protocol)) {
        errno = EDOM;
        return -1;
    }
    long nr = strcmp(s->argv[0], "socketpair") == 0 ? SYS_socketpair : SYS_socket;
    int pair[2];
    long ret = nr == SYS_socketpair ? syscall(nr, domain, type, protocol, pair) : syscall(nr, domain, type, protocol);
    return ret;
}

static void cmd_socket(const struct step *s)
{
    unsigned long v;
    for (int i = 1; i <= 3; i++)
        if (!parse_ulong(s->argv[i], &v)) {
            error(s, "bad number '%s'", s->argv[i]);
            return;
        }
    in_child(s, run_socket, NULL);
}

#ifdef __x86_64__
/* getpid through the i386 entry point: a different syscall table and AUDIT_ARCH_I386. */
static long run_int80(const struct step *s, void *arg)
{
    (void)s;
    (void)arg;
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L /* i386 getpid */) : "memory", "cc");
    if (ret < 0 && ret > -4096) {
        errno = (int)-ret;
        return -1;
    }
    return ret;
}

/* getpid through the x32 ABI: the native number with __X32_SYSCALL_BIT. */
static long run_x32(const struct step *s, void *arg)
{
    (void)s;
    (void)arg;
    return syscall(0x40000000L | SYS_getpid);
}
#endif

static void cmd_int80(const struct step *s)
{
#ifdef __x86_64__
    in_child(s, run_int80, NULL);
#else
    error(s, "int 0x80 exists only on x86");
#endif
}

static void cmd_x32(const struct step *s)
{
#ifdef __x86_64__
    in_child(s, run_x32, NULL);
#else
    error(s, "x32 exists only on x86_64");
#endif
}

/* --- real nesting attempts ---------------------------------------------------------------------------------- */

static int ns_flag(const char *name)
{
    static const struct { const char *name; int flag; } names[] = {
        {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID},
        {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP},
#ifdef CLONE_NEWTIME
        {"time", CLONE_NEWTIME},
#endif
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, name) == 0)
            return names[i].flag;
    return 0;
}

static long run_unshare(const struct step *s, void *arg)
{
    (void)s;
    return unshare(*(int *)arg);
}

static long run_clone(const struct step *s, void *arg)
{
    (void)s;
    long pid = syscall(SYS_clone, (unsigned long)*(int *)arg | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid;
}

static long run_clone3(const struct step *s, void *arg)
{
    (void)s;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = (uint64_t)(unsigned)*(int *)arg;
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid;
}

static void with_ns_flag(const struct step *s, long (*fn)(const struct step *, void *))
{
    static int flag;
    flag = strcmp(s->argv[1], "none") == 0 ? 0 : ns_flag(s->argv[1]);
    if (strcmp(s->argv[1], "none") != 0 && !flag) {
        error(s, "unknown namespace '%s'", s->argv[1]);
        return;
    }
    in_child(s, fn, &flag);
}

static void cmd_unshare(const struct step *s) { with_ns_flag(s, run_unshare); }
static void cmd_clone_ns(const struct step *s) { with_ns_flag(s, run_clone); }
static void cmd_clone3(const struct step *s) { with_ns_flag(s, run_clone3); }

static long run_setns(const struct step *s, void *arg)
{
    (void)arg;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", s->argv[1]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errno = EDOM; /* reported as an ERROR below */
        return -2;
    }
    return setns(fd, 0);
}

static void cmd_setns(const struct step *s)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", s->argv[1]);
    if (access(path, F_OK) < 0) {
        error(s, "cannot open %s: %s", path, errno_name(errno));
        return;
    }
    in_child(s, run_setns, NULL);
}

static long run_mount_tmpfs(const struct step *s, void *arg)
{
    (void)arg;
    return mount("probe", s->argv[1], "tmpfs", 0, "size=64k");
}

/* Clear the read-only flag of the mount at PATH: MS_REMOUNT|MS_BIND without MS_RDONLY. */
static long run_remount_rw(const struct step *s, void *arg)
{
    (void)arg;
    return mount(NULL, s->argv[1], NULL, MS_REMOUNT | MS_BIND, NULL);
}

static long run_bind(const struct step *s, void *arg)
{
    (void)arg;
    return mount(s->argv[1], s->argv[2], NULL, MS_BIND, NULL);
}

static long run_umount(const struct step *s, void *arg)
{
    (void)arg;
    return umount2(s->argv[1], MNT_DETACH);
}

static long run_chroot(const struct step *s, void *arg)
{
    (void)arg;
    return chroot(s->argv[1]);
}

static long run_pivot_root(const struct step *s, void *arg)
{
    (void)arg;
    return syscall(SYS_pivot_root, s->argv[1], s->argv[2]);
}

static long run_open_tree(const struct step *s, void *arg)
{
    (void)arg;
    /* recursive: a non-recursive clone of a tree with locked mounts below is EINVAL in a user namespace */
    return syscall(SYS_open_tree, AT_FDCWD, s->argv[1], 1 /* OPEN_TREE_CLONE */ | 0x8000 /* AT_RECURSIVE */ | O_CLOEXEC);
}

static long run_fsopen(const struct step *s, void *arg)
{
    (void)arg;
    return syscall(SYS_fsopen, s->argv[1], 1 /* FSOPEN_CLOEXEC */);
}

static void cmd_mount_tmpfs(const struct step *s) { in_child(s, run_mount_tmpfs, NULL); }
static void cmd_remount_rw(const struct step *s) { in_child(s, run_remount_rw, NULL); }
static void cmd_bind(const struct step *s) { in_child(s, run_bind, NULL); }
static void cmd_umount(const struct step *s) { in_child(s, run_umount, NULL); }
static void cmd_chroot(const struct step *s) { in_child(s, run_chroot, NULL); }
static void cmd_pivot_root(const struct step *s) { in_child(s, run_pivot_root, NULL); }
static void cmd_open_tree(const struct step *s) { in_child(s, run_open_tree, NULL); }
static void cmd_fsopen(const struct step *s) { in_child(s, run_fsopen, NULL); }

/* Positive controls outside the containment: a private mount namespace (inside a user namespace of our own when
 * not root), so mounts that succeed change nothing the host sees. */
int private_namespaces(void)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    int flags = CLONE_NEWNS | (uid != 0 ? CLONE_NEWUSER : 0);
    if (unshare(flags) < 0) {
        fprintf(stderr, "mcp-contain-probe: --private-ns: unshare: %s\n", errno_name(errno));
        return PROBE_EXIT_ERROR;
    }
    if (uid != 0) {
        char map[64];
        int fd = open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) {
            if (write(fd, "deny", 4) != 4) {
                close(fd);
                return PROBE_EXIT_ERROR;
            }
            close(fd);
        }
        static const char *const files[] = {"/proc/self/uid_map", "/proc/self/gid_map"};
        for (int i = 0; i < 2; i++) {
            int n = snprintf(map, sizeof map, "0 %u 1\n", i == 0 ? uid : gid);
            fd = open(files[i], O_WRONLY);
            if (fd < 0 || write(fd, map, (size_t)n) != n) {
                fprintf(stderr, "mcp-contain-probe: --private-ns: writing %s: %s\n", files[i], errno_name(errno));
                return PROBE_EXIT_ERROR;
            }
            close(fd);
        }
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        fprintf(stderr, "mcp-contain-probe: --private-ns: making / private: %s\n", errno_name(errno));
        return PROBE_EXIT_ERROR;
    }
    return 0;
}

/* listmount: the mount ids of the caller's mount namespace from its root (raw listmount, Linux 6.8), and the
 * mount point of the first few (statmount). ALLOWED with the count; the kernel's errno otherwise. */
static void cmd_listmount(const struct step *s)
{
    struct {
        uint32_t size, spare;
        uint64_t mnt_id, param, mnt_ns_id;
    } req = {.size = 24, .mnt_id = 0xffffffffffffffffULL /* LSMT_ROOT */};
    uint64_t ids[256];
    long n = syscall(458 /* __NR_listmount */, &req, ids, 256, 0);
    if (n < 0) {
        denied_errno(s, errno, "at=listmount");
        return;
    }
    allowed(s, "mounts=%ld", n);
}

const struct command syscall_commands[] = {
    {"syscall", 1, 1, "NAME  (errno fingerprint of one deny-listed syscall)", cmd_syscall},
    {"syscall-names", 0, 0, "(the fingerprints this probe knows)", cmd_syscall_names},
    {"socket", 3, 3, "DOMAIN TYPE PROTOCOL  (numbers; raw syscall)", cmd_socket},
    {"socketpair", 3, 3, "DOMAIN TYPE PROTOCOL", cmd_socket},
    {"int80", 0, 0, "(i386 getpid through int 0x80)", cmd_int80},
    {"x32", 0, 0, "(getpid through the x32 ABI)", cmd_x32},
    {"unshare", 1, 1, "user|mnt|net|pid|ipc|uts|cgroup|time", cmd_unshare},
    {"clone-ns", 1, 1, "NAMESPACE|none  (clone with CLONE_NEW*)", cmd_clone_ns},
    {"clone3", 1, 1, "NAMESPACE|none", cmd_clone3},
    {"setns", 1, 1, "NAMESPACE  (join our own /proc/self/ns/NAMESPACE)", cmd_setns},
    {"mount-tmpfs", 1, 1, "DIR", cmd_mount_tmpfs},
    {"remount-rw", 1, 1, "PATH  (MS_REMOUNT|MS_BIND without MS_RDONLY)", cmd_remount_rw},
    {"bind", 2, 2, "SRC DST", cmd_bind},
    {"umount", 1, 1, "PATH  (MNT_DETACH)", cmd_umount},
    {"chroot", 1, 1, "DIR", cmd_chroot},
    {"pivot-root", 2, 2, "NEW_ROOT PUT_OLD", cmd_pivot_root},
    {"open-tree", 1, 1, "PATH  (OPEN_TREE_CLONE, recursive)", cmd_open_tree},
    {"fsopen", 1, 1, "FSTYPE", cmd_fsopen},
    {"listmount", 0, 0, "(raw listmount of our mount namespace, Linux 6.8)", cmd_listmount},
    {NULL, 0, 0, NULL, NULL},
};
