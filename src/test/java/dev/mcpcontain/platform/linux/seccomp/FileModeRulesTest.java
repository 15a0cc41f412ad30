package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPERM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.action;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, class 1: no setuid or setgid bit through any call that sets a mode, in every mode, on both
 * architectures. Values are literals from sys/stat.h; the mode is placed at its syscall's own argument index
 * (ExpectedPolicy.MODE_ARGUMENT), with every other argument filled with junk so that no other argument decides.
 */
class FileModeRulesTest {

    private static final long S_ISUID = 04000;
    private static final long S_ISGID = 02000;
    private static final long S_ISVTX = 01000;
    private static final long S_IFREG = 0100000;
    private static final long JUNK = 0x7f00_dead_0000L;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Arch arch : Arch.values()) {
            for (SeccompOptions.Isolation isolation : SeccompOptions.Isolation.values()) {
                SeccompOptions options = new SeccompOptions(arch, false, isolation);
                for (Map.Entry<String, Integer> call : ExpectedPolicy.MODE_ARGUMENT.entrySet()) {
                    String syscall = call.getKey();
                    if (SyscallTable.number(arch, syscall).isEmpty()) {
                        continue;
                    }
                    // In landlock isolation the path-based chmod calls are refused whatever the mode.
                    boolean pathChmod = isolation == SeccompOptions.Isolation.LANDLOCK
                            && ExpectedPolicy.LANDLOCK_DENIED.containsKey(syscall);
                    int plain = pathChmod ? errno(EPERM) : ALLOW;
                    int mode = call.getValue();
                    add(cases, options, syscall, mode, "0755", 0755, plain);
                    add(cases, options, syscall, mode, "0644", 0644, plain);
                    add(cases, options, syscall, mode, "01777 (sticky is not a privilege)", S_ISVTX | 0777, plain);
                    add(cases, options, syscall, mode, "S_IFREG|0755 (mknod's file type)", S_IFREG | 0755, plain);
                    add(cases, options, syscall, mode, "04755", S_ISUID | 0755, errno(EPERM));
                    add(cases, options, syscall, mode, "02755", S_ISGID | 0755, errno(EPERM));
                    add(cases, options, syscall, mode, "06755", S_ISUID | S_ISGID | 0755, errno(EPERM));
                    add(cases, options, syscall, mode, "04000 alone", S_ISUID, errno(EPERM));
                    add(cases, options, syscall, mode, "S_IFREG|04755", S_IFREG | S_ISUID | 0755, errno(EPERM));
                    add(cases, options, syscall, mode, "07777", 07777, errno(EPERM));
                    add(cases, options, syscall, mode, "04755 with junk in the high word",
                            0xffff_ffffL << 32 | S_ISUID | 0755, errno(EPERM));
                    // The kernel keeps only the low bits: S_ISUID's bit in the high word sets nothing.
                    add(cases, options, syscall, mode, "0755 with S_ISUID's bit only in the high word",
                            S_ISUID << 32 | 0755, plain);
                }
            }
        }
        return cases.build();
    }

    private static void add(Stream.Builder<Arguments> cases, SeccompOptions options, String syscall, int modeIndex,
            String label, long mode, int expected) {
        long[] args = {JUNK, JUNK, JUNK, JUNK, JUNK, JUNK};
        // The junk itself must not carry the bits: it stands for pointers and descriptors.
        assertEquals(0, JUNK & (S_ISUID | S_ISGID));
        args[modeIndex] = mode;
        cases.add(Arguments.of(options, syscall, label, expected, args));
    }

    @ParameterizedTest(name = "{0}: {1} mode {2}")
    @MethodSource("cases")
    void setidBitsAreRefusedInEveryMode(SeccompOptions options, String syscall, String label, int expected,
            long[] args) {
        assertEquals(SeccompReturn.describe(expected), SeccompReturn.describe(action(options, syscall, args)));
    }
}
