/*
 * Prints, as NAME=value lines, the kernel uapi constants the seccomp compiler hard-codes, so KernelConstantsTest
 * can compare them with the headers the C helper is built against.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/falloc.h>
#include <linux/fs.h>

/* include/uapi/linux/fs.h of newer kernels (Debian 12's headers lack the ioctls): the layout decides the numbers. */
struct mcp_space_resv {
    __s16 l_type;
    __s16 l_whence;
    __s64 l_start;
    __s64 l_len;
    __s32 l_sysid;
    __u32 l_pid;
    __s32 l_pad[4];
};
#ifndef FS_IOC_RESVSP
#define FS_IOC_RESVSP _IOW('X', 40, struct mcp_space_resv)
#endif
#ifndef FS_IOC_RESVSP64
#define FS_IOC_RESVSP64 _IOW('X', 42, struct mcp_space_resv)
#endif
#ifndef FS_IOC_ZERO_RANGE
#define FS_IOC_ZERO_RANGE _IOW('X', 57, struct mcp_space_resv)
#endif
/* xfs_fs.h: _IOW('X', 10 and 36, struct xfs_flock64), the same layout */
#define FS_IOC_ALLOCSP _IOW('X', 10, struct mcp_space_resv)
#define FS_IOC_ALLOCSP64 _IOW('X', 36, struct mcp_space_resv)
#include <linux/filter.h>
#include <linux/ioprio.h>
#include <linux/netlink.h>
#include <linux/personality.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <linux/wireless.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define SHOW(name) printf("%s=%llu\n", #name, (unsigned long long)(name))
#define SHOW_AS(label, value) printf("%s=%llu\n", label, (unsigned long long)(value))

int main(void)
{
    SHOW(AUDIT_ARCH_X86_64);
    SHOW(AUDIT_ARCH_AARCH64);
    SHOW(AUDIT_ARCH_I386);
    SHOW(AUDIT_ARCH_ARM);
    SHOW(SECCOMP_RET_KILL_PROCESS);
    SHOW(SECCOMP_RET_ERRNO);
    SHOW(SECCOMP_RET_ALLOW);
    SHOW_AS("LD_W_ABS", BPF_LD | BPF_W | BPF_ABS);
    SHOW_AS("JMP_JEQ_K", BPF_JMP | BPF_JEQ | BPF_K);
    SHOW_AS("JMP_JGE_K", BPF_JMP | BPF_JGE | BPF_K);
    SHOW_AS("JMP_JSET_K", BPF_JMP | BPF_JSET | BPF_K);
    SHOW_AS("RET_K", BPF_RET | BPF_K);
    SHOW(BPF_MAXINSNS);
    SHOW_AS("sizeof(struct sock_filter)", sizeof(struct sock_filter));
    SHOW_AS("offsetof(nr)", offsetof(struct seccomp_data, nr));
    SHOW_AS("offsetof(arch)", offsetof(struct seccomp_data, arch));
    SHOW_AS("offsetof(args[0])", offsetof(struct seccomp_data, args[0]));
    SHOW_AS("offsetof(args[1])", offsetof(struct seccomp_data, args[1]));
    SHOW_AS("offsetof(args[2])", offsetof(struct seccomp_data, args[2]));
    SHOW_AS("sizeof(struct seccomp_data)", sizeof(struct seccomp_data));
    SHOW(EPERM);
    SHOW(ENOSYS);
    SHOW(EPROTONOSUPPORT);
    SHOW(EAFNOSUPPORT);
    SHOW(CLONE_NEWTIME);
    SHOW(CLONE_NEWNS);
    SHOW(CLONE_NEWCGROUP);
    SHOW(CLONE_NEWUTS);
    SHOW(CLONE_NEWIPC);
    SHOW(CLONE_NEWUSER);
    SHOW(CLONE_NEWPID);
    SHOW(CLONE_NEWNET);
    SHOW(PER_LINUX);
    SHOW(TIOCSTI);
    SHOW(TIOCLINUX);
    SHOW(FALLOC_FL_KEEP_SIZE);
    SHOW(FALLOC_FL_PUNCH_HOLE);
    SHOW(FALLOC_FL_COLLAPSE_RANGE);
    SHOW(FALLOC_FL_INSERT_RANGE);
    SHOW(FS_IOC_RESVSP);
    SHOW(FS_IOC_RESVSP64);
    SHOW(FS_IOC_ZERO_RANGE);
    SHOW(FS_IOC_ALLOCSP);
    SHOW(FS_IOC_ALLOCSP64);
    SHOW(TIOCSETD);
    SHOW(SIOCGIFNAME);
    SHOW(SIOCDEVPRIVATE);
    SHOW(SIOCIWFIRST);
    SHOW(SO_PASSCRED);
    SHOW(SOL_SOCKET);
    SHOW(AF_UNIX);
    SHOW(AF_INET);
    SHOW(AF_INET6);
    SHOW(AF_NETLINK);
    SHOW(NETLINK_ROUTE);
    SHOW(ESOCKTNOSUPPORT);
    SHOW(EOPNOTSUPP);
    SHOW(S_ISUID);
    SHOW(S_ISGID);
    SHOW(SOCK_STREAM);
    SHOW(SOCK_SEQPACKET);
    SHOW(SOCK_NONBLOCK);
    SHOW(SOCK_CLOEXEC);
    SHOW(PRIO_PROCESS);
    SHOW(IOPRIO_WHO_PROCESS);
    SHOW_AS("offsetof(args[3])", offsetof(struct seccomp_data, args[3]));
    return 0;
}
