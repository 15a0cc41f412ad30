package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The create guard's filter (issue 7, class 3): every call that can name a new entry is notified, open only with
 * O_CREAT, and nothing else is. Numbers are literals from the kernel's tables, not the project's, so a wrong table
 * entry fails here.
 */
class CreateGuardFilterTest {

    private static final int USER_NOTIF = 0x7fc00000;
    private static final int ALLOW = 0x7fff0000;
    private static final long JUNK = 0x7f00_dead_0000L;
    private static final long O_CREAT = 0100;

    private static int run(Arch arch, int nr, long... args) {
        return ClassicBpfInterpreter.run(CreateGuardFilter.compile(arch), ExpectedPolicy.auditArch(arch), nr, args);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyCallThatNamesANewEntryIsNotified(Arch arch) {
        List<Integer> always = arch == Arch.X86_64
                // creat mkdir mkdirat mknod mknodat symlink symlinkat link linkat rename renameat renameat2
                ? List.of(85, 83, 258, 133, 259, 88, 266, 86, 265, 82, 264, 316)
                : List.of(34, 33, 36, 37, 38, 276); // mkdirat mknodat symlinkat linkat renameat renameat2
        for (int nr : always) {
            assertEquals(USER_NOTIF, run(arch, nr, JUNK, JUNK, JUNK, JUNK, JUNK, JUNK), "syscall " + nr);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void opensAreNotifiedOnlyWithOCreat(Arch arch) {
        int openat = arch == Arch.X86_64 ? 257 : 56;
        long junkWithoutCreat = JUNK & ~O_CREAT;
        assertEquals(USER_NOTIF, run(arch, openat, JUNK, JUNK, O_CREAT | 01, 0644, JUNK, JUNK));
        assertEquals(USER_NOTIF, run(arch, openat, JUNK, JUNK, 0xffff_ffff_0000_0000L | O_CREAT, 0, JUNK, JUNK));
        assertEquals(ALLOW, run(arch, openat, junkWithoutCreat, junkWithoutCreat, 02 /* O_RDWR */, 0644, 0, 0));
        // O_TMPFILE names nothing (linkat, notified, names it later).
        assertEquals(ALLOW, run(arch, openat, JUNK, JUNK, 020200000 | 02, 0600, 0, 0));
        if (arch == Arch.X86_64) {
            assertEquals(USER_NOTIF, run(arch, 2, JUNK, O_CREAT | 01, 0644, JUNK, JUNK, JUNK));
            assertEquals(ALLOW, run(arch, 2, JUNK, 0, 0644, JUNK, JUNK, JUNK));
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void otherCallsRunAndTheServerAddsNoLandlockLayer(Arch arch) {
        int read = arch == Arch.X86_64 ? 0 : 63;
        int unlinkat = arch == Arch.X86_64 ? 263 : 35;
        assertEquals(ALLOW, run(arch, read, JUNK, JUNK, JUNK, JUNK, JUNK, JUNK));
        assertEquals(ALLOW, run(arch, unlinkat, JUNK, JUNK, JUNK, JUNK, JUNK, JUNK));
        assertEquals(0x00050000 | 1, run(arch, 446, 3, 0, 0, 0, 0, 0), "landlock_restrict_self: EPERM");
        assertEquals(ALLOW, run(arch, 444, 0, 0, 1, 0, 0, 0), "landlock_create_ruleset (ABI query) still answers");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void eachRuleIsDescribed(Arch arch) {
        List<String> lines = CreateGuardFilter.describe(arch);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("mkdirat (") && l.contains("USER_NOTIF")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("openat (") && l.contains("O_CREAT")), lines::toString);
    }
}
