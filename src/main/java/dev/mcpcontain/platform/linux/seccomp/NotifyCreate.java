package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A syscall that can give a directory entry a name goes to the helper's create guard (SECCOMP_RET_USER_NOTIF), which
 * refuses the protected names in writable grants and carries out everything else itself, from its own copy of the
 * arguments (see native/linux/create_guard.c). With {@code flagsArg}, only calls whose flags hold O_CREAT go there:
 * an open that cannot create anything is not a creation.
 *
 * @param syscall the kernel's name for it
 * @param flagsArg the index of the open flags, or -1 when every call creates
 */
record NotifyCreate(String syscall, int flagsArg) implements FilterRule {

    /** O_CREAT, the same octal 0100 on x86_64 and arm64 (asm-generic/fcntl.h). */
    static final int O_CREAT = 0100;

    NotifyCreate {
        Objects.requireNonNull(syscall, "syscall");
        if (flagsArg >= 0) {
            SeccompData.argLow(flagsArg);
        }
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return;
        }
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        asm.jumpIfEqual(nr.getAsInt(), null, next);
        if (flagsArg >= 0) {
            BpfAssembler.Label notCreating = asm.newLabel(syscall + "-no-create");
            asm.loadWord(SeccompData.argLow(flagsArg));
            asm.jumpIfAnyBit(O_CREAT, null, notCreating);
            asm.ret(SeccompReturn.USER_NOTIF);
            asm.bind(notCreating);
            asm.ret(SeccompReturn.ALLOW);
        } else {
            asm.ret(SeccompReturn.USER_NOTIF);
        }
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return FilterRule.absent(syscall, arch);
        }
        String when = flagsArg >= 0 ? String.format("flags (arg %d) & O_CREAT", flagsArg) : "always";
        return String.format("%s (%d): %s -> %s  [names created in writable grants]", syscall, nr.getAsInt(), when,
                SeccompReturn.describe(SeccompReturn.USER_NOTIF));
    }
}
