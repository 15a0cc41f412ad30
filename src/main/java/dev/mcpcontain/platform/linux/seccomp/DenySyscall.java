package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Fails one syscall with a fixed errno whatever its arguments.
 *
 * @param name   the kernel's name for it, as in syscall_64.tbl / asm-generic/unistd.h
 * @param errno  what the caller sees
 * @param reason the group it belongs to, shown by {@code --dry-run}
 */
record DenySyscall(String name, Errno errno, String reason) implements FilterRule {

    DenySyscall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(errno, "errno");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, name);
        if (nr.isEmpty()) {
            return;
        }
        BpfAssembler.Label next = asm.newLabel("after-" + name);
        asm.jumpIfEqual(nr.getAsInt(), null, next);
        asm.ret(SeccompReturn.errno(errno));
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, name);
        if (nr.isEmpty()) {
            return name + ": no such syscall on " + arch.kernelName() + ", nothing to deny";
        }
        return name + " (" + nr.getAsInt() + ") -> " + SeccompReturn.describe(SeccompReturn.errno(errno))
                + "  [" + reason + "]";
    }
}
