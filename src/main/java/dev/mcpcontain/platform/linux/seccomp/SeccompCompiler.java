package dev.mcpcontain.platform.linux.seccomp;

import java.util.List;

/**
 * Compiles the mcp-contain seccomp policy into a classic-BPF program for the native helper.
 *
 * <p>The helper loads the bytes verbatim with {@code prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)} after
 * NO_NEW_PRIVS, as its last step before execve; it checks only that the length is a multiple of 8 and at most
 * 4096 instructions. Every decision about what is denied, and with which errno, is made here.
 *
 * <p>Decisions the escape tests rely on: a syscall from a foreign ABI (i386 {@code int 0x80}, arm32 compat)
 * kills the process; on x86_64 every x32 syscall fails with ENOSYS; a netlink protocol other than NETLINK_ROUTE
 * fails with EPROTONOSUPPORT. {@link #describe} states them too.
 */
public final class SeccompCompiler {

    private SeccompCompiler() {}

    /** The filter as {@code struct sock_filter[]}, 8 bytes per instruction, in the target's byte order. */
    public static byte[] compile(SeccompOptions options) {
        BpfAssembler asm = new BpfAssembler();
        for (FilterRule rule : SeccompPolicy.rules(options)) {
            rule.emit(asm, options.arch());
        }
        return asm.assemble();
    }

    /** One line per rule, in program order, for {@code --dry-run}. */
    public static List<String> describe(SeccompOptions options) {
        return SeccompPolicy.rules(options).stream().map(rule -> rule.describe(options.arch())).toList();
    }
}
