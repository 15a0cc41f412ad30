package dev.mcpcontain.platform.linux.seccomp;

/**
 * {@code ioctl} requests that read network devices through a socket fail with EPERM: the sockios interface
 * requests 0x8910-0x89ff ({@code SIOCGIFCONF}, {@code SIOCGIFNAME}, {@code SIOCGIFHWADDR}, {@code SIOCETHTOOL},
 * bonding, bridge, device-private, ...) and the wireless-extension requests 0x8b00-0x8bff ({@code SIOCGIWESSID}:
 * the name of the Wi-Fi network the host is on).
 *
 * <p>The kernel answers them for the network namespace the socket was <em>made</em> in, not the caller's, and for
 * any socket, AF_UNIX included. A host that gives the server a socketpair as stdio (every node-based host does:
 * libuv's pipes are socketpairs) hands it a socket of the host's namespace, so a server in its own empty network
 * namespace listed the host's interfaces, IPv4 addresses and MAC addresses through descriptor 0; in landlock
 * isolation every socketpair the server makes is in the host's namespace (where netlink is refused for exactly
 * this reason). Applied in full isolation unless the network is the host's (then the server sees the host's
 * interfaces by design), and in landlock isolation always, like the netlink rule.
 *
 * <p>0x8900-0x890f stay (FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP, SIOCATMARK, SIOCGSTAMP(NS)): they concern the
 * socket itself. Only the low word of the request is compared, as the kernel truncates it to unsigned int; a request
 * with direction or size bits set is a different request to the kernel and is not one of these. The rule falls
 * through with the syscall number reloaded, so later ioctl rules still see every other request.
 */
final class DenyInterfaceIoctl implements FilterRule {

    static final int SOCKIOS_DEVICE_FIRST = 0x8910;
    static final int SOCKIOS_LAST = 0x89ff;
    static final int WIRELESS_FIRST = 0x8b00;
    static final int WIRELESS_LAST = 0x8bff;

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-interface-ioctl");
        BpfAssembler.Label deny = asm.newLabel("interface-ioctl-deny");
        BpfAssembler.Label keep = asm.newLabel("interface-ioctl-keep");
        BpfAssembler.Label wireless = asm.newLabel("interface-ioctl-wireless");
        asm.jumpIfEqual(SyscallTable.number(arch, "ioctl").orElseThrow(), null, next);
        asm.loadWord(SeccompData.argLow(1));
        asm.jumpIfAtLeast(SOCKIOS_DEVICE_FIRST, null, keep);
        asm.jumpIfAtLeast(SOCKIOS_LAST + 1, wireless, deny);
        asm.bind(wireless);
        asm.jumpIfAtLeast(WIRELESS_FIRST, null, keep);
        asm.jumpIfAtLeast(WIRELESS_LAST + 1, keep, null);
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(keep);
        asm.loadWord(SeccompData.NR);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        return String.format("ioctl (%d): request (low 32 bits) in 0x%x-0x%x (network devices: SIOCGIFCONF, SIOCGIFHWADDR,"
                        + " ...) or 0x%x-0x%x (wireless) -> %s  [host interfaces through a host-made socket]",
                SyscallTable.number(arch, "ioctl").orElseThrow(), SOCKIOS_DEVICE_FIRST, SOCKIOS_LAST, WIRELESS_FIRST,
                WIRELESS_LAST, SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
