package dev.mcpcontain.platform.linux.seccomp;

/**
 * {@code ioctl(TIOCSTI)} and {@code ioctl(TIOCLINUX)} fail with EPERM: both push input into a terminal the server
 * may have inherited, i.e. type commands into the user's shell (CVE-2017-5226). setsid() in the helper is the
 * first defence; this is the second, for when the terminal is still reachable.
 *
 * <p>{@code ioctl(TIOCSETD)} too: a line discipline other than N_TTY on any terminal, the server's own ptys
 * included, is kernel code no server needs, and a well-known way in (n_gsm: CVE-2023-6546, n_hdlc: CVE-2017-2636);
 * with {@code dev.tty.ldisc_autoload} 1 (the default) setting one even loads its module. The value is behind a
 * pointer, so every TIOCSETD is refused, N_TTY included.
 */
final class DenyTerminalInjection implements FilterRule {

    static final int TIOCSTI = 0x5412;
    static final int TIOCLINUX = 0x541c;
    static final int TIOCSETD = 0x5423;

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-ioctl");
        BpfAssembler.Label deny = asm.newLabel("ioctl-deny");
        asm.jumpIfEqual(SyscallTable.number(arch, "ioctl").orElseThrow(), null, next);
        // Only the low word of the request, on purpose: the kernel truncates it to unsigned int, so a request with
        // any high bits set still performs TIOCSTI and must still be denied (CVE-2019-10063).
        asm.loadWord(SeccompData.argLow(1));
        asm.jumpIfEqual(TIOCSTI, deny, null);
        asm.jumpIfEqual(TIOCLINUX, deny, null);
        asm.jumpIfEqual(TIOCSETD, deny, null);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        return String.format("ioctl (%d): request (low 32 bits) TIOCSTI 0x%x, TIOCLINUX 0x%x or TIOCSETD 0x%x (line"
                        + " disciplines) -> %s",
                SyscallTable.number(arch, "ioctl").orElseThrow(), TIOCSTI, TIOCLINUX, TIOCSETD,
                SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
