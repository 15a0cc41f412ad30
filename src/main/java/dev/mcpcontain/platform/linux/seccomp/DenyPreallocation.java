package dev.mcpcontain.platform.linux.seccomp;

import java.util.OptionalInt;

/**
 * No preallocation: {@code fallocate} that would allocate blocks fails with EOPNOTSUPP, and so do the ioctls that
 * reach the same code ({@code FS_IOC_RESVSP}, {@code FS_IOC_RESVSP64}, {@code FS_IOC_ZERO_RANGE}, and XFS's old
 * {@code ALLOCSP} pair). The agent home's size is watched, not a quota (a look every 250 ms): written data cannot
 * outrun that by much, but a server allocated 40 files of 60 MB in its home in 3 ms with fallocate, and the same loop
 * fills the host's disk before the first look. EOPNOTSUPP is what a filesystem without fallocate answers: glibc's
 * {@code posix_fallocate} then writes the blocks instead (at the speed of writes, which the watch is sized for).
 * Freeing and shifting stay: punching a hole ({@code PUNCH_HOLE|KEEP_SIZE}), {@code COLLAPSE_RANGE} and
 * {@code INSERT_RANGE} (which inserts a hole) allocate nothing.
 */
final class DenyPreallocation implements FilterRule {

    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    static final int FALLOC_FL_INSERT_RANGE = 0x20;

    /**
     * {@code _IOW('X', N, struct space_resv)} (48 bytes on both 64-bit architectures): RESVSP 40, RESVSP64 42 and
     * ZERO_RANGE 57 go to vfs_fallocate on every filesystem (fs/ioctl.c); XFS's ALLOCSP 10 and ALLOCSP64 36 (same
     * layout) allocated on kernels before 5.17. The UNRESVSP pair (41, 43) frees and stays.
     */
    static final int FS_IOC_RESVSP = 0x40305828;
    static final int FS_IOC_RESVSP64 = 0x4030582a;
    static final int FS_IOC_ZERO_RANGE = 0x40305839;
    static final int FS_IOC_ALLOCSP = 0x4030580a;
    static final int FS_IOC_ALLOCSP64 = 0x40305824;

    static final int[] ALLOWED_MODES = {FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_COLLAPSE_RANGE,
        FALLOC_FL_INSERT_RANGE};
    static final int[] PREALLOCATING_IOCTLS = {FS_IOC_RESVSP, FS_IOC_RESVSP64, FS_IOC_ZERO_RANGE, FS_IOC_ALLOCSP,
        FS_IOC_ALLOCSP64};

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt fallocate = SyscallTable.number(arch, "fallocate");
        if (fallocate.isPresent()) {
            BpfAssembler.Label next = asm.newLabel("after-fallocate");
            BpfAssembler.Label allow = asm.newLabel("fallocate-allow");
            asm.jumpIfEqual(fallocate.getAsInt(), null, next);
            asm.loadWord(SeccompData.argLow(1)); // the kernel takes mode as int
            for (int mode : ALLOWED_MODES) {
                asm.jumpIfEqual(mode, allow, null);
            }
            asm.ret(SeccompReturn.errno(Errno.EOPNOTSUPP));
            asm.bind(allow);
            asm.ret(SeccompReturn.ALLOW);
            asm.bind(next);
        }
        // ioctl falls through to the next rule (the terminal one) with the syscall number loaded again.
        BpfAssembler.Label next = asm.newLabel("after-ioctl-prealloc");
        BpfAssembler.Label deny = asm.newLabel("ioctl-prealloc-deny");
        BpfAssembler.Label restore = asm.newLabel("ioctl-prealloc-other");
        asm.jumpIfEqual(SyscallTable.number(arch, "ioctl").orElseThrow(), null, next);
        asm.loadWord(SeccompData.argLow(1)); // the kernel truncates the request to unsigned int
        for (int i = 0; i < PREALLOCATING_IOCTLS.length; i++) {
            asm.jumpIfEqual(PREALLOCATING_IOCTLS[i], deny, i == PREALLOCATING_IOCTLS.length - 1 ? restore : null);
        }
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EOPNOTSUPP));
        asm.bind(restore);
        asm.loadWord(SeccompData.NR);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        OptionalInt fallocate = SyscallTable.number(arch, "fallocate");
        String deny = SeccompReturn.describe(SeccompReturn.errno(Errno.EOPNOTSUPP));
        return String.format("fallocate (%d): mode (arg 1, low 32 bits) other than PUNCH_HOLE|KEEP_SIZE 0x3,"
                        + " COLLAPSE_RANGE 0x8 or INSERT_RANGE 0x20 -> %s; ioctl (%d): request FS_IOC_RESVSP 0x%x,"
                        + " RESVSP64 0x%x, ZERO_RANGE 0x%x, ALLOCSP 0x%x, ALLOCSP64 0x%x -> %s"
                        + "  [preallocation: the home's size is watched, fallocate outran the watch]",
                fallocate.orElse(-1), deny, SyscallTable.number(arch, "ioctl").orElseThrow(), FS_IOC_RESVSP,
                FS_IOC_RESVSP64, FS_IOC_ZERO_RANGE, FS_IOC_ALLOCSP, FS_IOC_ALLOCSP64, deny);
    }
}
