package dev.mcpcontain.platform.linux.seccomp;

/** The values a seccomp filter returns to the kernel ({@code SECCOMP_RET_*} in linux/seccomp.h). */
final class SeccompReturn {
    static final int KILL_PROCESS = 0x80000000;
    static final int ERRNO = 0x00050000;
    static final int ALLOW = 0x7fff0000;
    /** SECCOMP_RET_USER_NOTIF: the call waits for the helper's create guard to answer it. */
    static final int USER_NOTIF = 0x7fc00000;

    private static final int DATA_MASK = 0x0000ffff;

    private SeccompReturn() {}

    static int errno(Errno errno) {
        return ERRNO | errno.value;
    }

    /** Human-readable form of a return value, as {@code describe()} and test failures print it. */
    static String describe(int value) {
        if (value == KILL_PROCESS) {
            return "KILL_PROCESS";
        }
        if (value == ALLOW) {
            return "ALLOW";
        }
        if (value == USER_NOTIF) {
            return "USER_NOTIF (create guard)";
        }
        if ((value & ~DATA_MASK) == ERRNO) {
            int number = value & DATA_MASK;
            for (Errno errno : Errno.values()) {
                if (errno.value == number) {
                    return "ERRNO(" + errno.name() + ")";
                }
            }
            return "ERRNO(" + number + ")";
        }
        return String.format("0x%08x", value);
    }
}
