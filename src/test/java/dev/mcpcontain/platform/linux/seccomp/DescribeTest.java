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
}
