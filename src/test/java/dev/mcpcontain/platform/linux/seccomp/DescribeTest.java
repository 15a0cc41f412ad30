package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --dry-run} output: one line per rule, and the decisions the escape tests assert are stated. */
class DescribeTest {

    @Test
    void statesTheAbiDecisionsOnX86_64() {
        List<String> lines = SeccompCompiler.describe(new SeccompOptions(Arch.X86_64, false));
        assertEquals("arch != x86_64 (AUDIT_ARCH 0xc000003e; e.g. i386 via int 0x80) -> KILL_PROCESS",
                lines.get(0));
        assertEquals("nr >= 0x40000000 (x32 ABI, any syscall) -> ERRNO(ENOSYS)", lines.get(1));
        assertEquals("any other syscall -> ALLOW", lines.get(lines.size() - 1));
    }

    @Test
    void oneLinePerRuleWithNumbersAndErrnos() {
        List<String> lines = SeccompCompiler.describe(new SeccompOptions(Arch.X86_64, false));
        assertEquals(SeccompPolicy.rules(new SeccompOptions(Arch.X86_64, false)).size(), lines.size());
        assertTrue(lines.contains("unshare (272) -> ERRNO(EPERM)  [namespaces and mounts]"), lines::toString);
        assertTrue(lines.contains("clone3 (435) -> ERRNO(ENOSYS)  [clone3 and the new mount API (callers fall back)]"),
                lines::toString);
        assertTrue(lines.contains("umount: no such syscall on x86_64, nothing to deny"), lines::toString);
        assertTrue(lines.contains("clone (56): flags & 0x7e020080 (any CLONE_NEW*) -> ERRNO(EPERM), else ALLOW"),
                lines::toString);
        assertTrue(lines.contains("socket (41): family (low 32 bits) not in {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK}"
                + " -> ERRNO(EAFNOSUPPORT); AF_NETLINK protocol other than NETLINK_ROUTE -> ERRNO(EPROTONOSUPPORT)"),
                lines::toString);
        for (String denied : ExpectedPolicy.DENIED.keySet()) {
            assertTrue(lines.stream().anyMatch(line -> line.startsWith(denied + " ") || line.startsWith(denied + ":")),
                    denied);
        }
    }

    @Test
    void networkNoneDropsInetFromTheSocketLines() {
        List<String> lines = SeccompCompiler.describe(new SeccompOptions(Arch.AARCH64, true));
        assertTrue(lines.contains("socketpair (199): family (low 32 bits) not in {AF_UNIX, AF_NETLINK} ->"
                + " ERRNO(EAFNOSUPPORT); AF_NETLINK protocol other than NETLINK_ROUTE -> ERRNO(EPROTONOSUPPORT)"),
                lines::toString);
        assertEquals("arch != aarch64 (AUDIT_ARCH 0xc00000b7; e.g. AArch32 compat tasks) -> KILL_PROCESS",
                lines.get(0));
        assertTrue(lines.contains("x32 ABI: not on aarch64, nothing to deny"), lines::toString);
        assertTrue(lines.contains("modify_ldt: no such syscall on aarch64, nothing to deny"), lines::toString);
        assertFalse(lines.stream().anyMatch(line -> line.contains("AF_INET")), lines::toString);
    }

    @Test
    void statesTheSetidRulesInEveryModeAndTheLandlockRulesOnlyThere() {
        for (SeccompOptions.Isolation isolation : SeccompOptions.Isolation.values()) {
            List<String> lines = SeccompCompiler.describe(new SeccompOptions(Arch.X86_64, false, isolation));
            assertTrue(lines.contains("openat (257): mode (arg 3, low 32 bits) & 06000 (S_ISUID|S_ISGID) ->"
                    + " ERRNO(EPERM), else ALLOW  [setuid and setgid files]"), lines::toString);
            assertTrue(lines.contains("fchmod (91): mode (arg 1, low 32 bits) & 06000 (S_ISUID|S_ISGID) ->"
                    + " ERRNO(EPERM), else ALLOW  [setuid and setgid files]"), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("openat2 (437) -> ERRNO(ENOSYS)")), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("fsetxattr (190) -> ERRNO(EOPNOTSUPP)")),
                    lines::toString);
            boolean landlock = isolation == SeccompOptions.Isolation.LANDLOCK;
            assertEquals(landlock, lines.stream().anyMatch(l -> l.startsWith("shmget (29) -> ERRNO(EPERM)")),
                    lines::toString);
            assertEquals(landlock, lines.contains("chmod (90) -> ERRNO(EPERM)  [metadata by path (Landlock has no"
                    + " right for it; descriptor forms stay)]"), lines::toString);
            assertEquals(!landlock, lines.stream().anyMatch(l -> l.startsWith("chmod (90): mode")), lines::toString);
            assertEquals(landlock, lines.contains("prlimit64 (302): unless arg 0 (low 32 bits) pid == 0 (self) ->"
                    + " ERRNO(EPERM), else ALLOW  [other processes]"), lines::toString);
            assertEquals(landlock, lines.contains("utimensat (280): pathname (arg 1, all 64 bits) != NULL ->"
                    + " ERRNO(EPERM), else ALLOW  [metadata by path]"), lines::toString);
        }
        List<String> landlock = SeccompCompiler.describe(new SeccompOptions(Arch.X86_64, false,
                SeccompOptions.Isolation.LANDLOCK));
        assertTrue(landlock.contains("socketpair (53): family (low 32 bits) not in {AF_UNIX (SOCK_STREAM or"
                + " SOCK_SEQPACKET), AF_INET, AF_INET6} -> ERRNO(EAFNOSUPPORT); AF_UNIX type (low 32 bits) other than"
                + " SOCK_STREAM/SOCK_SEQPACKET [|SOCK_NONBLOCK|SOCK_CLOEXEC] -> ERRNO(ESOCKTNOSUPPORT)"),
                landlock::toString);
        assertTrue(landlock.contains("socket (41): family (low 32 bits) not in {AF_INET, AF_INET6} ->"
                + " ERRNO(EAFNOSUPPORT)"), landlock::toString);
    }

    @Test
    void everyRuleOfEveryModeIsListed() {
        for (Arch arch : Arch.values()) {
            for (SeccompOptions.Isolation isolation : SeccompOptions.Isolation.values()) {
                SeccompOptions options = new SeccompOptions(arch, false, isolation);
                List<String> lines = SeccompCompiler.describe(options);
                for (String name : ExpectedPolicy.ruled(options)) {
                    assertTrue(lines.stream().anyMatch(l -> l.startsWith(name + " ") || l.startsWith(name + ":")),
                            () -> options + ": " + name + " not listed in " + lines);
                }
            }
        }
    }
}
