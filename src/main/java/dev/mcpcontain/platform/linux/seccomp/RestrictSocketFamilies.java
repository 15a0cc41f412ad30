package dev.mcpcontain.platform.linux.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code socket} or {@code socketpair} limited to the address families ordinary servers need. Everything else
 * (AF_VSOCK, the WSL2 interop escape; AF_PACKET; AF_ALG; AF_BLUETOOTH; ...) is kernel attack surface or a way
 * around the network policy, and fails with EAFNOSUPPORT, the kernel's own answer for a family it lacks.
 *
 * <p>AF_NETLINK stays because glibc's getaddrinfo and getifaddrs use NETLINK_ROUTE; every other netlink protocol
 * (audit, uevents, netfilter, ...) fails with EPROTONOSUPPORT, the kernel's answer for a netlink protocol it does
 * not have, which is more truthful than claiming AF_NETLINK itself is missing. Without a network namespace
 * (landlock isolation) NETLINK_ROUTE would list the host's interfaces and addresses, so there AF_NETLINK goes
 * too; glibc's getaddrinfo then assumes both IPv4 and IPv6 are configured, and getifaddrs fails.
 *
 * <p>AF_UNIX, by {@link Unix}: {@code ANY} family-wide; {@code DENIED} for socket() without a mount namespace,
 * where an AF_UNIX socket could connect to any pathname socket on the host (the user's session bus and
 * {@code systemd-run --user}, ssh-agent, docker.sock; Landlock restricts pathname sockets only from ABI 9);
 * {@code CONNECTED} for socketpair() there: only SOCK_STREAM and SOCK_SEQPACKET pairs (with SOCK_NONBLOCK and
 * SOCK_CLOEXEC), which the kernel never lets address anyone but their peer (sendto/sendmsg with an address: EISCONN
 * for stream, the address ignored for seqpacket; connect: EISCONN). A SOCK_DGRAM pair would send to any host
 * datagram socket named in sendto (journald's, syslog's), so it fails with ESOCKTNOSUPPORT.
 *
 * @param syscall     {@code socket} or {@code socketpair}; both take (domain, type, protocol)
 * @param networkNone also deny AF_INET and AF_INET6
 * @param unix        what AF_UNIX may do
 * @param netlink     allow AF_NETLINK with NETLINK_ROUTE
 */
record RestrictSocketFamilies(String syscall, boolean networkNone, Unix unix, boolean netlink) implements FilterRule {

    enum Unix { ANY, DENIED, CONNECTED }

    RestrictSocketFamilies(String syscall, boolean networkNone) {
        this(syscall, networkNone, Unix.ANY, true);
    }

    // linux/socket.h, linux/net.h and linux/netlink.h
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int NETLINK_ROUTE = 0;
    static final int SOCK_STREAM = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;

    RestrictSocketFamilies {
        Objects.requireNonNull(syscall, "syscall");
        Objects.requireNonNull(unix, "unix");
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        BpfAssembler.Label allow = asm.newLabel(syscall + "-allow");
        BpfAssembler.Label netlinkProtocol = asm.newLabel(syscall + "-netlink");
        BpfAssembler.Label unixType = asm.newLabel(syscall + "-unix-type");
        asm.jumpIfEqual(SyscallTable.number(arch, syscall).orElseThrow(), null, next);
        // domain, type and protocol are int in the kernel: only their low words count.
        asm.loadWord(SeccompData.argLow(0));
        switch (unix) {
            case ANY -> asm.jumpIfEqual(AF_UNIX, allow, null);
            case CONNECTED -> asm.jumpIfEqual(AF_UNIX, unixType, null);
            case DENIED -> { }
        }
        if (!networkNone) {
            asm.jumpIfEqual(AF_INET, allow, null);
            asm.jumpIfEqual(AF_INET6, allow, null);
        }
        if (netlink) {
            asm.jumpIfEqual(AF_NETLINK, netlinkProtocol, null);
        }
        asm.ret(SeccompReturn.errno(Errno.EAFNOSUPPORT));
        if (netlink) {
            asm.bind(netlinkProtocol);
            asm.loadWord(SeccompData.argLow(2));
            asm.jumpIfEqual(NETLINK_ROUTE, allow, null);
            asm.ret(SeccompReturn.errno(Errno.EPROTONOSUPPORT));
        }
        if (unix == Unix.CONNECTED) {
            asm.bind(unixType);
            asm.loadWord(SeccompData.argLow(1));
            // Equality with each allowed type and flag combination: no ALU needed, and every other bit pattern
            // (SOCK_DGRAM, SOCK_RAW, unknown flags) is refused rather than masked away.
            for (int type : connectedTypes()) {
                asm.jumpIfEqual(type, allow, null);
            }
            asm.ret(SeccompReturn.errno(Errno.ESOCKTNOSUPPORT));
        }
        asm.bind(allow);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(next);
    }

    /** SOCK_STREAM and SOCK_SEQPACKET, each with every combination of SOCK_NONBLOCK and SOCK_CLOEXEC. */
    static List<Integer> connectedTypes() {
        List<Integer> types = new ArrayList<>();
        for (int base : new int[] {SOCK_STREAM, SOCK_SEQPACKET}) {
            for (int flags : new int[] {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC}) {
                types.add(base | flags);
            }
        }
        return types;
    }

    @Override
    public String describe(Arch arch) {
        List<String> families = new ArrayList<>();
        if (unix != Unix.DENIED) {
            families.add(unix == Unix.CONNECTED ? "AF_UNIX (SOCK_STREAM or SOCK_SEQPACKET)" : "AF_UNIX");
        }
        if (!networkNone) {
            families.add("AF_INET");
            families.add("AF_INET6");
        }
        if (netlink) {
            families.add("AF_NETLINK");
        }
        StringBuilder line = new StringBuilder(String.format("%s (%d): family (low 32 bits) not in {%s} -> %s",
                syscall, SyscallTable.number(arch, syscall).orElseThrow(), String.join(", ", families),
                SeccompReturn.describe(SeccompReturn.errno(Errno.EAFNOSUPPORT))));
        if (netlink) {
            line.append("; AF_NETLINK protocol other than NETLINK_ROUTE -> ")
                    .append(SeccompReturn.describe(SeccompReturn.errno(Errno.EPROTONOSUPPORT)));
        }
        if (unix == Unix.CONNECTED) {
            line.append("; AF_UNIX type (low 32 bits) other than SOCK_STREAM/SOCK_SEQPACKET"
                    + " [|SOCK_NONBLOCK|SOCK_CLOEXEC] -> ")
                    .append(SeccompReturn.describe(SeccompReturn.errno(Errno.ESOCKTNOSUPPORT)));
        }
        return line.toString();
    }
}
