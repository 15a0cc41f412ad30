package dev.mcpcontain.platform.linux.seccomp;

/** The end of the deny-list: whatever no rule matched runs. */
final class DefaultAllow implements FilterRule {

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        asm.ret(SeccompReturn.ALLOW);
    }

    @Override
    public String describe(Arch arch) {
        return "any other syscall -> " + SeccompReturn.describe(SeccompReturn.ALLOW);
    }
}
