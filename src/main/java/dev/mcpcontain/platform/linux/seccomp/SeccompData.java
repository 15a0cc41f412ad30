package dev.mcpcontain.platform.linux.seccomp;

/** Byte offsets into {@code struct seccomp_data}, the input every filter instruction loads from. */
final class SeccompData {
    static final int NR = 0;
    static final int ARCH = 4;
    static final int SIZE = 64;

    private SeccompData() {}

    /**
     * Offset of the low 32 bits of {@code args[index]}. Each argument is a u64 starting at 16 + 8 * index; on a
     * little-endian CPU (the only kind {@link Arch} accepts) its low word comes first. Every rule compares only
     * this word because the kernel itself truncates the arguments we inspect to int or unsigned int.
     */
    static int argLow(int index) {
        if (index < 0 || index > 5) {
            throw new IllegalArgumentException("syscall argument index out of range: " + index);
        }
        return 16 + 8 * index;
    }

    /** Offset of the high 32 bits of {@code args[index]}: only for pointers, which the kernel reads whole. */
    static int argHigh(int index) {
        return argLow(index) + 4;
    }
}
