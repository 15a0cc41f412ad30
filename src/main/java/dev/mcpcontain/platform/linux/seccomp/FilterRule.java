package dev.mcpcontain.platform.linux.seccomp;

/**
 * One entry of the filter: the instructions it contributes and the line {@code --dry-run} prints for it. Keeping
 * both in one object means the description cannot drift from the bytes.
 */
interface FilterRule {

    /**
     * Appends this rule's instructions. Except for {@link ArchitectureCheck}, which sets it up, every rule starts
     * with the syscall number in the accumulator; when the rule does not match it must fall through to the next
     * rule with the number still there, and when it matches every path must end in a return.
     */
    void emit(BpfAssembler asm, Arch arch);

    /** One line for {@code --dry-run}. */
    String describe(Arch arch);

    /** The {@code --dry-run} line of an argument check whose syscall this architecture does not have. */
    static String absent(String syscall, Arch arch) {
        return syscall + ": no such syscall on " + arch.kernelName() + ", nothing to check";
    }
}
