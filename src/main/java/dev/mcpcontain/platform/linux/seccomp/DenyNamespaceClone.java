package dev.mcpcontain.platform.linux.seccomp;

/**
 * {@code clone} with any CLONE_NEW* flag fails with EPERM; threads and forks pass. The namespace flags would give
 * the server a fresh user namespace with full capabilities in it, the first step of most sandbox escapes.
 */
final class DenyNamespaceClone implements FilterRule {

    // linux/sched.h
    static final int CLONE_NEWTIME = 0x00000080;
    static final int CLONE_NEWNS = 0x00020000;
    static final int CLONE_NEWCGROUP = 0x02000000;
    static final int CLONE_NEWUTS = 0x04000000;
    static final int CLONE_NEWIPC = 0x08000000;
    static final int CLONE_NEWUSER = 0x10000000;
    static final int CLONE_NEWPID = 0x20000000;
    static final int CLONE_NEWNET = 0x40000000;

    /*
     * CLONE_NEWTIME shares its bit with the exit-signal byte (CSIGNAL) of clone(), so the kernel cannot take it
     * from clone() at all; but there it would mean an exit signal >= 128, and Linux has 64 signals, so denying the
     * bit costs no legitimate caller anything and keeps the mask equal to the unshare(2) set.
     */
    static final int NAMESPACE_FLAGS = CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
            | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-clone");
        BpfAssembler.Label allow = asm.newLabel("clone-allow");
        asm.jumpIfEqual(SyscallTable.number(arch, "clone").orElseThrow(), null, next);
        // The flags are arg0 on both x86_64 and arm64 (only s390/cris swap the first two). Checking the low word
        // is enough: every CLONE_NEW* bit lives there, and the kernel itself keeps only lower_32_bits(flags).
        asm.loadWord(SeccompData.argLow(0));
        asm.jumpIfAnyBit(NAMESPACE_FLAGS, null, allow);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(allow);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        return String.format("clone (%d): flags & 0x%08x (any CLONE_NEW*) -> %s, else ALLOW",
                SyscallTable.number(arch, "clone").orElseThrow(), NAMESPACE_FLAGS,
                SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
