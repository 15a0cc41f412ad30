/*
 * Prints, as NAME=value lines, the kernel uapi constants the seccomp compiler hard-codes, so KernelConstantsTest
 * can compare them with the headers the C helper is built against.
 */
#include <errno.h>
#include <linux/audit.h>
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
