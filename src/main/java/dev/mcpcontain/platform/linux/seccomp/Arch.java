package dev.mcpcontain.platform.linux.seccomp;

import java.nio.ByteOrder;
import java.util.Locale;

/** The CPU architectures whose syscall numbers the filter compiler knows. */
public enum Arch {
    X86_64("x86_64", 0xc000003e),
    AARCH64("aarch64", 0xc00000b7);

    private final String kernelName;
    private final int auditArch;

    Arch(String kernelName, int auditArch) {
        this.kernelName = kernelName;
        this.auditArch = auditArch;
    }

    /** The name {@code uname -m} prints. */
    public String kernelName() {
        return kernelName;
    }

    /** The {@code AUDIT_ARCH_*} value the kernel puts in {@code seccomp_data.arch} for native syscalls. */
    int auditArch() {
        return auditArch;
    }

    /**
     * The architecture this JVM runs on.
     *
     * @throws UnsupportedOperationException on any other architecture: a filter with the wrong numbers would
     *     deny the wrong syscalls, so there is no best-effort guess
     */
    public static Arch current() {
        return fromOsArch(System.getProperty("os.arch", ""), ByteOrder.nativeOrder());
    }

    static Arch fromOsArch(String osArch, ByteOrder byteOrder) {
        Arch arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new UnsupportedOperationException("seccomp filter: unsupported CPU architecture '"
                    + osArch + "' (supported: x86_64, aarch64); refusing to build a filter with guessed syscall"
                    + " numbers");
        };
        // The instructions are encoded little-endian and the AUDIT_ARCH values above are the little-endian ones;
        // a big-endian aarch64 kernel would need both changed.
        if (byteOrder != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("seccomp filter: big-endian " + osArch + " is not supported");
        }
        return arch;
    }
}
