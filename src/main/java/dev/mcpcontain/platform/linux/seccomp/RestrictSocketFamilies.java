package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;

/**
 * {@code socket} or {@code socketpair} limited to the address families ordinary servers need. Everything else
 * (AF_VSOCK, the WSL2 interop escape; AF_PACKET; AF_ALG; AF_BLUETOOTH; ...) is kernel attack surface or a way
 * around the network policy, and fails with EAFNOSUPPORT, the kernel's own answer for a family it lacks.
 *
 * <p>AF_NETLINK stays because glibc's getaddrinfo and getifaddrs use NETLINK_ROUTE; every other netlink protocol
 * (audit, uevents, netfilter, ...) fails with EPROTONOSUPPORT, the kernel's answer for a netlink protocol it does
 * not have, which is more truthful than claiming AF_NETLINK itself is missing.
 *
 * @param syscall     {@code socket} or {@code socketpair}; both take (domain, type, protocol)
 * <p>With {@code unixDenied}, {@code socket(AF_UNIX)} fails too (socketpair is another rule and keeps it): for
 * servers without a mount namespace, where an AF_UNIX socket could connect to any pathname socket on the host
 * (the user's session bus and {@code systemd-run --user}, ssh-agent, docker.sock). Landlock restricts pathname
 * sockets only from ABI 9; a connected socketpair cannot reach anything outside.
 *
 * @param syscall     {@code socket} or {@code socketpair}; both take (domain, type, protocol)
 * @param networkNone also deny AF_INET and AF_INET6
 * @param unixDenied  also deny AF_UNIX
 */
record RestrictSocketFamilies(String syscall, boolean networkNone, boolean unixDenied) implements FilterRule {

    RestrictSocketFamilies(String syscall, boolean networkNone) {
        this(syscall, networkNone, false);
    }

    // linux/socket.h and linux/netlink.h
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int NETLINK_ROUTE = 0;

    RestrictSocketFamilies {
        Objects.requireNonNull(syscall, "syscall");
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        BpfAssembler.Label allow = asm.newLabel(syscall + "-allow");
        BpfAssembler.Label netlink = asm.newLabel(syscall + "-netlink");
        asm.jumpIfEqual(SyscallTable.number(arch, syscall).orElseThrow(), null, next);
        // domain and protocol are int in the kernel: only their low words count.
        asm.loadWord(SeccompData.argLow(0));
        if (!unixDenied) {
            asm.jumpIfEqual(AF_UNIX, allow, null);
        }
        if (!networkNone) {
            asm.jumpIfEqual(AF_INET, allow, null);
            asm.jumpIfEqual(AF_INET6, allow, null);
        }
        asm.jumpIfEqual(AF_NETLINK, netlink, null);
        asm.ret(SeccompReturn.errno(Errno.EAFNOSUPPORT));
        asm.bind(netlink);
        asm.loadWord(SeccompData.argLow(2));
        asm.jumpIfEqual(NETLINK_ROUTE, allow, null);
        asm.ret(SeccompReturn.errno(Errno.EPROTONOSUPPORT));
        asm.bind(allow);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        String families = (unixDenied ? "" : "AF_UNIX, ") + (networkNone ? "" : "AF_INET, AF_INET6, ") + "AF_NETLINK";
        return String.format("%s (%d): family (low 32 bits) not in {%s} -> %s; AF_NETLINK protocol other than"
                        + " NETLINK_ROUTE -> %s",
                syscall, SyscallTable.number(arch, syscall).orElseThrow(), families,
                SeccompReturn.describe(SeccompReturn.errno(Errno.EAFNOSUPPORT)),
                SeccompReturn.describe(SeccompReturn.errno(Errno.EPROTONOSUPPORT)));
    }
}
