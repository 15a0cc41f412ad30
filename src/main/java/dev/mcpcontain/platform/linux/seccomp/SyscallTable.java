package dev.mcpcontain.platform.linux.seccomp;

import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/** Looks up a syscall number by name for one architecture. */
final class SyscallTable {

    private SyscallTable() {}

    /**
     * The number of {@code name} on {@code arch}, or empty when that architecture has no such syscall (the rule is
     * then skipped: nothing can call it).
     *
     * @throws IllegalArgumentException for a name the tables do not know at all, so that a typo in the policy fails
     *     the build instead of silently leaving a syscall allowed
     */
    static OptionalInt number(Arch arch, String name) {
        Integer number = numbers(arch).get(name);
        if (number != null) {
            return OptionalInt.of(number);
        }
        if (absent(arch).contains(name)) {
            return OptionalInt.empty();
        }
        throw new IllegalArgumentException("no " + arch.kernelName() + " syscall number for '" + name
                + "'; add it to the table (or to the list of names that architecture lacks)");
    }

    static Map<String, Integer> numbers(Arch arch) {
        return switch (arch) {
            case X86_64 -> X86_64Syscalls.NUMBERS;
            case AARCH64 -> Aarch64Syscalls.NUMBERS;
        };
    }

    static Set<String> absent(Arch arch) {
        return switch (arch) {
            case X86_64 -> X86_64Syscalls.ABSENT;
            case AARCH64 -> Aarch64Syscalls.ABSENT;
        };
    }
}
