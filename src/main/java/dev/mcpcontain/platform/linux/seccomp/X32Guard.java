package dev.mcpcontain.platform.linux.seccomp;

/**
 * On x86_64, denies the x32 ABI with ENOSYS. x32 syscalls arrive with the native AUDIT_ARCH_X86_64 but with bit 30
 * (__X32_SYSCALL_BIT) set in the number, so without this check {@code 0x40000000 | 272} would be an unshare that
 * no rule below matches.
 *
 * <p>Why ENOSYS and not KILL_PROCESS: it is exactly what a kernel built or booted without x32 support returns
 * (most distributions), so x86_64 programs see nothing unusual, and escape tests get an exact errno to assert.
 * Every number at or above the bit is covered, which includes all x32 numbers; the kernel has no x86_64 syscalls
 * there, so nothing legitimate is lost.
 */
final class X32Guard implements FilterRule {

    static final int X32_SYSCALL_BIT = 0x40000000;

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        if (arch != Arch.X86_64) {
            return;
        }
        BpfAssembler.Label x64 = asm.newLabel("x86_64-abi");
        asm.jumpIfAtLeast(X32_SYSCALL_BIT, null, x64);
        asm.ret(SeccompReturn.errno(Errno.ENOSYS));
        asm.bind(x64);
    }

    @Override
    public String describe(Arch arch) {
        if (arch != Arch.X86_64) {
            return "x32 ABI: not on " + arch.kernelName() + ", nothing to deny";
        }
        return String.format("nr >= 0x%08x (x32 ABI, any syscall) -> %s",
                X32_SYSCALL_BIT, SeccompReturn.describe(SeccompReturn.errno(Errno.ENOSYS)));
    }
}
