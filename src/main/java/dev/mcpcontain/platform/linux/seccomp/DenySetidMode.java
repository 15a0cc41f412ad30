package dev.mcpcontain.platform.linux.seccomp;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A syscall that takes a file mode fails with EPERM when the mode has S_ISUID or S_ISGID: no contained process may
 * make a setuid or setgid file. Through a writable grant such a file is a root-owned (idmapped, root launcher) or
 * user-owned setuid program on the host that any local user can run (issue 7, class 1).
 *
 * <p>Used for the chmod family (whose mode is the new mode) and for every call that creates an inode with a mode
 * (open, openat, creat, mkdir, mkdirat, mknod, mknodat). open's mode only counts with O_CREAT or O_TMPFILE, but it
 * is checked whatever the flags: libc passes 0 when it does not need one, so nothing legitimate is refused, and one
 * check with no flag logic cannot be got around by a flag combination the filter did not think of. mkdir ignores
 * S_ISGID itself (directories only inherit it), and is checked all the same, for one rule that is easy to state.
 *
 * <p>Only the low word of the mode is read: mode_t is 32 bits and the kernel takes umode_t (16 bits) from it, so
 * bits in the high word change nothing and S_ISUID/S_ISGID (0o4000/0o2000) can only be in the low one.
 *
 * @param syscall the kernel's name for it
 * @param modeArg the index of its mode argument
 */
record DenySetidMode(String syscall, int modeArg) implements FilterRule {

    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    static final int SETID_BITS = S_ISUID | S_ISGID;

    DenySetidMode {
        Objects.requireNonNull(syscall, "syscall");
        SeccompData.argLow(modeArg);
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return;
        }
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        BpfAssembler.Label allow = asm.newLabel(syscall + "-allow");
        asm.jumpIfEqual(nr.getAsInt(), null, next);
        asm.loadWord(SeccompData.argLow(modeArg));
        asm.jumpIfAnyBit(SETID_BITS, null, allow);
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
        return String.format("%s (%d): mode (arg %d, low 32 bits) & 0%o (S_ISUID|S_ISGID) -> %s, else ALLOW"
                        + "  [setuid and setgid files]",
                syscall, nr.getAsInt(), modeArg, SETID_BITS, SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
