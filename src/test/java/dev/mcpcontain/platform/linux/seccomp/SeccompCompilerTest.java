package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.AUDIT_ARCH_AARCH64;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.AUDIT_ARCH_ARM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.AUDIT_ARCH_I386;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.AUDIT_ARCH_X86_64;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ENOSYS;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.KILL_PROCESS;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.auditArch;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.program;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The compiled program, run through the test interpreter: the deny-list, the default and the ABI checks. */
class SeccompCompilerTest {

    private static final long ALL_ONES = 0xffffffffffffffffL;

    static Stream<SeccompOptions> allOptions() {
        return Stream.of(Arch.values())
                .flatMap(arch -> Stream.of(false, true).flatMap(none -> Stream.of(SeccompOptions.Isolation.values())
                        .map(isolation -> new SeccompOptions(arch, none, isolation))));
    }

    static Stream<Arguments> optionsAndDeniedSyscalls() {
        return allOptions()
                .flatMap(options -> ExpectedPolicy.denied(options).entrySet().stream()
                        .filter(denied -> !ExpectedPolicy.ABSENT.get(options.arch()).contains(denied.getKey()))
                        .map(denied -> Arguments.of(options, denied.getKey(), denied.getValue())));
    }

    @ParameterizedTest(name = "{0}: {1} -> errno {2}")
    @MethodSource("optionsAndDeniedSyscalls")
    void deniedSyscallReturnsItsExactErrnoWhateverTheArguments(SeccompOptions options, String syscall, int errno) {
        assertEquals(errno(errno), ExpectedPolicy.action(options, syscall), "no arguments");
        assertEquals(errno(errno), ExpectedPolicy.action(options, syscall, ALL_ONES, ALL_ONES, ALL_ONES, ALL_ONES,
                ALL_ONES, ALL_ONES), "all argument bits set");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void namesMissingOnAnArchitectureAreExactlyTheExpectedOnes(Arch arch) {
        Set<String> missing = new HashSet<>();
        Set<String> names = new HashSet<>(ExpectedPolicy.ruled(new SeccompOptions(arch, false,
                SeccompOptions.Isolation.LANDLOCK)));
        for (String name : names) {
            if (SyscallTable.number(arch, name).isEmpty()) {
                missing.add(name);
            }
        }
        assertEquals(ExpectedPolicy.ABSENT.get(arch), missing);
    }

    /** Guards against over-blocking: every number no rule names runs, with any arguments. */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyOtherSyscallNumberIsAllowed(Arch arch) {
        for (SeccompOptions options : allOptions().filter(o -> o.arch() == arch).toList()) {
            Set<Integer> ruled = new HashSet<>();
            for (String name : ExpectedPolicy.ruled(options)) {
                SyscallTable.number(arch, name).ifPresent(ruled::add);
            }
            byte[] program = program(options);
            for (int nr = 0; nr < 1024; nr++) {
                if (ruled.contains(nr)) {
                    continue;
                }
                assertEquals(ALLOW, ClassicBpfInterpreter.run(program, auditArch(arch), nr), options + " nr " + nr);
                assertEquals(ALLOW, ClassicBpfInterpreter.run(program, auditArch(arch), nr, ALL_ONES, ALL_ONES,
                        ALL_ONES, ALL_ONES, ALL_ONES, ALL_ONES), options + " nr " + nr + " with all argument bits set");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void ordinarySyscallsAreAllowed(Arch arch) {
        SeccompOptions options = new SeccompOptions(arch, true);
        for (String syscall : List.of("read", "write", "openat", "execve", "getpid")) {
            assertEquals(ALLOW, ExpectedPolicy.action(options, syscall, 3, 0, 0), syscall);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void foreignArchitectureIsKilledBeforeAnyRule(Arch arch) {
        byte[] program = program(new SeccompOptions(arch, false));
        int otherNative = arch == Arch.X86_64 ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
        for (int foreign : new int[] {AUDIT_ARCH_I386, AUDIT_ARCH_ARM, otherNative, 0}) {
            // i386 getpid (20), execve (11) and the x86_64 number of getpid: whatever the number means there.
            for (int nr : new int[] {0, 11, 20, 39, 172}) {
                assertEquals(KILL_PROCESS, ClassicBpfInterpreter.run(program, foreign, nr),
                        String.format("arch 0x%08x nr %d", foreign, nr));
            }
        }
    }

    /** The x32 decision: ENOSYS for every number with the x32 bit (or above), before any other rule. */
    @Test
    void x32SyscallsGetEnosysOnX86_64() {
        byte[] program = program(new SeccompOptions(Arch.X86_64, false));
        int x32 = 0x40000000;
        for (int nr : new int[] {x32, x32 | 39, x32 | 272, x32 | 56, x32 | 41, x32 | 512, x32 | 545, 0x7fffffff,
                0x80000000, -1}) {
            assertEquals(errno(ENOSYS), ClassicBpfInterpreter.run(program, AUDIT_ARCH_X86_64, nr),
                    String.format("nr 0x%08x", nr));
        }
        // The highest plain x86_64 number is still governed by the ordinary rules.
        assertEquals(ALLOW, ClassicBpfInterpreter.run(program, AUDIT_ARCH_X86_64, x32 - 1));
    }

    @Test
    void aarch64HasNoX32CheckTheKernelRejectsSuchNumbersItself() {
        byte[] program = program(new SeccompOptions(Arch.AARCH64, false));
        assertEquals(ALLOW, ClassicBpfInterpreter.run(program, AUDIT_ARCH_AARCH64, 0x40000000 | 172));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void programIsSmallValidAndWholeInstructions(Arch arch) {
        for (SeccompOptions options : allOptions().filter(o -> o.arch() == arch).toList()) {
            byte[] program = SeccompCompiler.compile(options);
            ClassicBpfInterpreter.validate(program);
            assertEquals(0, program.length % 8);
            assertTrue(program.length / 8 < 512, "instructions: " + program.length / 8);
        }
    }

    @Test
    void compileIsDeterministic() {
        SeccompOptions options = new SeccompOptions(Arch.X86_64, true);
        assertEquals(SeccompCompiler.describe(options), SeccompCompiler.describe(options));
        assertArrayEquals(SeccompCompiler.compile(options), SeccompCompiler.compile(options));
    }

    @Test
    void firstInstructionsCheckTheArchitectureAndKill() {
        // ld [4]; jeq #AUDIT_ARCH_X86_64, 1, 0; ret #KILL_PROCESS; ld [0]
        byte[] program = SeccompCompiler.compile(new SeccompOptions(Arch.X86_64, false));
        assertEquals(List.of(
                "20 00 00 00 04 00 00 00",
                "15 00 01 00 3e 00 00 c0",
                "06 00 00 00 00 00 00 80",
                "20 00 00 00 00 00 00 00"),
                List.of(hex(program, 0), hex(program, 1), hex(program, 2), hex(program, 3)));
    }

    @Test
    void misspeltSyscallNameIsAnErrorNotASkip() {
        assertThrows(IllegalArgumentException.class, () -> SyscallTable.number(Arch.X86_64, "umout2"));
        assertThrows(IllegalArgumentException.class,
                () -> new DenySyscall("unshar", Errno.EPERM, "test").emit(new BpfAssembler(), Arch.AARCH64));
    }

    private static String hex(byte[] program, int instruction) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(String.format("%02x", program[instruction * 8 + i]));
        }
        return out.toString();
    }
}
