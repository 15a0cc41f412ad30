package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.EnvironmentBlock;
import dev.mcpcontain.platform.windows.plan.FolderAccessPlan;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PureHelpersTest {

    @Test
    void environmentBlockIsSortedCaseInsensitivelyAndDoubleNulTerminated() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("path", "C:\\bin");
        env.put("TEMP", "C:\\t");
        env.put("A_B", "1");
        env.put("Zed", "");
        String block = EnvironmentBlock.build(env);
        assertEquals("A_B=1\0path=C:\\bin\0TEMP=C:\\t\0Zed=\0\0", block);
        assertEquals("41005f0042003d0031000000", HexFormat.of().formatHex(EnvironmentBlock.utf16(block), 0, 12));
        assertTrue(block.endsWith("\0\0"));
    }

    @Test
    void underscoreSortsAfterLettersAsWindowsUpperCaseOrderDoes() {
        // '_' (0x5F) is above 'Z' (0x5A) but below 'a' (0x61): an order that lower-cased names would get wrong.
        String block = EnvironmentBlock.build(new TreeMap<>(Map.of("a_x", "1", "AZ", "2")));
        assertEquals("AZ=2\0a_x=1\0\0", block);
    }

    @Test
    void emptyEnvironmentIsTwoNuls() {
        assertEquals("\0\0", EnvironmentBlock.build(Map.of()));
    }

    @Test
    void badEnvironmentIsRefusedNamingTheVariable() {
        var dup = assertThrows(PolicyException.class, () -> EnvironmentBlock.build(Map.of("Path", "a", "PATH", "b")));
        assertTrue(dup.getMessage().contains("differ only in case"), dup.getMessage());
        assertThrows(PolicyException.class, () -> EnvironmentBlock.build(Map.of("A=B", "x")));
        var nul = assertThrows(PolicyException.class, () -> EnvironmentBlock.build(Map.of("X", "a\0b")));
        assertTrue(nul.getMessage().contains("X"));
        assertEquals(125, nul.exitCode());
    }

    @Test
    void jobLimitsFollowThePolicy() {
        JobLimits job = JobLimits.from(TestPolicies.limits(), 8);
        assertTrue(job.killOnClose());
        assertFalse(job.breakawayAllowed());
        assertEquals(JobLimits.LIMIT_KILL_ON_JOB_CLOSE | JobLimits.LIMIT_DIE_ON_UNHANDLED_EXCEPTION
                | JobLimits.LIMIT_ACTIVE_PROCESS | JobLimits.LIMIT_JOB_MEMORY, job.limitFlags());
        assertEquals(512, job.activeProcessLimit());
        assertEquals(2L << 30, job.jobMemoryLimit());
        assertEquals(0xFF, job.uiRestrictions());
        assertTrue(job.cpuRate().isEmpty());
        assertEquals(0, job.perProcessUserTimeLimit());
    }

    @Test
    void cpuLimitsMapToRateAndUserTime() {
        ResourceLimits limits = new ResourceLimits(1L << 30, 64, OptionalDouble.of(2), OptionalInt.of(600), 256, 1, 1);
        JobLimits job = JobLimits.from(limits, 8);
        assertEquals(2500, job.cpuRate().getAsInt());
        assertEquals(6_000_000_000L, job.perProcessUserTimeLimit());
        assertTrue((job.limitFlags() & JobLimits.LIMIT_PROCESS_TIME) != 0);
        assertEquals(10_000, JobLimits.from(limits, 1).cpuRate().getAsInt(), "capped at the whole machine");
        ResourceLimits tiny = new ResourceLimits(1L << 30, 64, OptionalDouble.of(0.00001), OptionalInt.empty(), 256, 1, 1);
        assertEquals(1, JobLimits.from(tiny, 64).cpuRate().getAsInt(), "never 0, which would mean no cap");
    }

    @Test
    void folderAccessCoversGrantsHomeAndNonSystemPrograms() {
        Sid ac = CapabilitySids.appContainer("mcp-contain.srv-1");
        var policy = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/C:/Users/me/Documents", Access.READ_WRITE),
                TestPolicies.grant("/C:/Users/me/Documents/.git/hooks", Access.READ_ONLY),
                TestPolicies.grant("/D:/data", Access.READ_ONLY),
                new dev.mcpcontain.policy.PathRule(java.nio.file.Path.of("/C:/Users/me/AppData/Roaming/npm/node_modules"),
                        Access.READ_ONLY, dev.mcpcontain.policy.PathRule.Origin.PROGRAM, "node_modules"));
        List<AceSpec> aces = FolderAccessPlan.entries(policy, List.of(ac), List.of("/C:/Program Files", "/C:/Windows"),
                path -> true).stream().filter(a -> !a.isLabel()).toList();
        List<String> described = aces.stream().map(a -> (a.deny() ? "deny " : "allow ") + a.path() + " "
                + Integer.toHexString(a.accessMask())).toList();
        assertEquals(List.of(
                "allow /C:/Users/me/Documents 1301bf",
                "allow /C:/Users/me/Documents/.git/hooks 1200a9",
                "deny /C:/Users/me/Documents/.git/hooks d0156",
                "allow /D:/data 1200a9",
                "allow /C:/Users/me/AppData/Roaming/npm/node_modules 1200a9",
                "allow " + TestPolicies.HOME + " 1301bf"), described);
        assertTrue(aces.stream().allMatch(a -> a.trustee().equals(ac)));
    }

    @Test
    void systemDirectoryMatchIsByWholeComponentAndCaseInsensitive() {
        assertTrue(FolderAccessPlan.isUnder("C:\\PROGRAM FILES\\nodejs", List.of("C:\\Program Files")));
        assertTrue(FolderAccessPlan.isUnder("C:\\Program Files", List.of("C:\\Program Files\\")));
        assertFalse(FolderAccessPlan.isUnder("C:\\Program Files Evil\\x", List.of("C:\\Program Files")));
        assertFalse(FolderAccessPlan.isUnder("C:\\Users", List.of("")));
    }

    @Test
    void everyAgentTrusteeGetsTheSameEntries() {
        Sid ac = CapabilitySids.appContainer("mcp-contain.srv-1");
        Sid agent = Sid.parse("S-1-5-21-1-2-3-1001");
        var policy = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE);
        List<AceSpec> aces = FolderAccessPlan.entries(policy, List.of(ac, agent), List.of("/C:/Program Files"));
        assertEquals(List.of(ac, agent), aces.stream().filter(a -> !a.isLabel()).map(AceSpec::trustee).toList());
    }

    /** Issue 13 defect 2: the server's own home is labelled Low, so that its Low token can write there at all. */
    @Test
    void theAgentHomeIsLabelledLowAndUserFoldersNeedConsent() {
        Sid ac = CapabilitySids.appContainer("mcp-contain.srv-1");
        var policy = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE);
        List<AceSpec> aces = FolderAccessPlan.entries(policy, List.of(ac), List.of("/C:/Program Files"));
        assertEquals(List.of(AceSpec.lowLabel(TestPolicies.HOME.toString(), AceSpec.INHERIT_TO_CHILDREN,
                "the server's own home: Low so that the server can write it")),
                aces.stream().filter(AceSpec::isLabel).toList());

        var withUserFolder = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/C:/Users/me/Documents", dev.mcpcontain.profile.Access.READ_WRITE));
        var e = assertThrows(FolderAccessPlan.LowLabelNeeded.class,
                () -> FolderAccessPlan.entries(withUserFolder, List.of(ac), List.of()));
        assertEquals("/C:/Users/me/Documents", e.path());
        List<AceSpec> consented = FolderAccessPlan.entries(withUserFolder, List.of(ac), List.of(),
                path -> path.equals("/C:/Users/me/Documents"));
        assertTrue(consented.stream().anyMatch(a -> a.isLabel() && a.path().equals("/C:/Users/me/Documents")));
        var readOnly = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/C:/Users/me/Documents", dev.mcpcontain.profile.Access.READ_ONLY));
        assertFalse(FolderAccessPlan.entries(readOnly, List.of(ac), List.of()).stream()
                .anyMatch(a -> a.isLabel() && a.path().contains("Documents")), "Low reads Medium: no label for reading");
    }
}
