package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A call with an optional path argument (utimensat) runs only in its descriptor form, pathname NULL, and fails
 * with EPERM when it names a path. Landlock has no access right for timestamps (nor for modes, owners or xattrs),
 * so in landlock isolation a path form would change files outside the grants and in read-only grants; the
 * descriptor form needs a file the server could open, which Landlock did check. futimens() and glibc's futimes()
 * are this descriptor form.
 *
 * <p>The pointer is compared whole, both 32-bit words: the kernel treats any non-zero 64-bit value as a path.
 *
 * @param syscall the kernel's name for it
 * @param pathArg the index of its pathname argument
 */
record DenyPathForm(String syscall, int pathArg) implements FilterRule {

    DenyPathForm {
        Objects.requireNonNull(syscall, "syscall");
        SeccompData.argLow(pathArg);
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return;
        }
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        BpfAssembler.Label deny = asm.newLabel(syscall + "-deny");
        BpfAssembler.Label allow = asm.newLabel(syscall + "-allow");
        asm.jumpIfEqual(nr.getAsInt(), null, next);
        asm.loadWord(SeccompData.argLow(pathArg));
        asm.jumpIfEqual(0, null, deny);
        asm.loadWord(SeccompData.argHigh(pathArg));
        asm.jumpIfEqual(0, allow, deny);
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(allow);
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return FilterRule.absent(syscall, arch);
        }
        return String.format("%s (%d): pathname (arg %d, all 64 bits) != NULL -> %s, else ALLOW"
                        + "  [metadata by path]",
                syscall, nr.getAsInt(), pathArg, SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
