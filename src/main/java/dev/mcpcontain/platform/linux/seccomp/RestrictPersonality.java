package dev.mcpcontain.platform.linux.seccomp;

/**
 * {@code personality} may only keep PER_LINUX or query the current value. Other personas change kernel behaviour
 * the rest of the sandbox assumes (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, the 32-bit address limit, ...).
 */
final class RestrictPersonality implements FilterRule {

    static final int PER_LINUX = 0;
    /** glibc's and the kernel's "only tell me the current persona" argument. */
    static final int QUERY = 0xffffffff;

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-personality");
        BpfAssembler.Label allow = asm.newLabel("personality-allow");
        asm.jumpIfEqual(SyscallTable.number(arch, "personality").orElseThrow(), null, next);
        // The kernel takes the persona as unsigned int, so only the low word decides what it does.
        asm.loadWord(SeccompData.argLow(0));
        asm.jumpIfEqual(PER_LINUX, allow, null);
        asm.jumpIfEqual(QUERY, allow, null);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(allow);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        return String.format("personality (%d): persona (low 32 bits) other than 0 PER_LINUX or 0xffffffff query -> %s",
                SyscallTable.number(arch, "personality").orElseThrow(),
                SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
