package dev.mcpcontain.platform.linux.seccomp;

/**
 * Kills the process on any syscall made through a foreign ABI, then loads the syscall number for the rules after
 * it. Syscall numbers differ per ABI, so none of the other rules mean anything for, e.g., an i386 {@code int 0x80}
 * syscall on x86_64 (where 11 is execve, not munmap) or an AArch32 compat task on arm64.
 */
final class ArchitectureCheck implements FilterRule {

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label nativeArch = asm.newLabel("native-arch");
        asm.loadWord(SeccompData.ARCH);
        asm.jumpIfEqual(arch.auditArch(), nativeArch, null);
        // KILL_PROCESS rather than an errno: a process deliberately entering through another ABI is attacking
        // the filter, and no ordinary x86_64/arm64 program does it.
        asm.ret(SeccompReturn.KILL_PROCESS);
        asm.bind(nativeArch);
        asm.loadWord(SeccompData.NR);
    }

    @Override
    public String describe(Arch arch) {
        String foreign = arch == Arch.X86_64 ? "i386 via int 0x80" : "AArch32 compat tasks";
        return String.format("arch != %s (AUDIT_ARCH 0x%08x; e.g. %s) -> %s", arch.kernelName(), arch.auditArch(),
                foreign, SeccompReturn.describe(SeccompReturn.KILL_PROCESS));
    }
}
