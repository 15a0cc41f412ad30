package dev.mcpcontain.platform.linux.seccomp;

/**
 * The errno values the filter returns. x86_64 and aarch64 both use the asm-generic numbering, so one value per
 * name is enough.
 */
enum Errno {
    EPERM(1),
    EACCES(13),
    ENOSYS(38),
    EPROTONOSUPPORT(93),
    ESOCKTNOSUPPORT(94),
    EOPNOTSUPP(95),
    EAFNOSUPPORT(97);

    final int value;

    Errno(int value) {
        this.value = value;
    }
}
