package dev.mcpcontain.platform.linux.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.LandlockWeaknesses;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The plan pieces ask the host only through {@link HostProbe}: on a host declared here (merged /usr, ssh host keys,
 * a hard link to a secret, a grant owned by someone else, running tasks) the plan follows from that host alone.
 */
class PlanOnADeclaredHostTest {

    private static final Path HOME = Path.of("/home/alice");
    private static final Path AGENT_HOME = HOME.resolve(".local/share/mcp-contain/homes/srv");

    private static FakeHostProbe mergedUsrHost() {
        return new FakeHostProbe().dir("/usr/bin").dir("/usr/lib").link("/bin", "usr/bin").link("/lib", "usr/lib")
                .dir("/etc").file("/etc/passwd").file("/etc/shadow").dir("/etc/ssh").file("/etc/ssh/sshd_config")
                .file("/etc/ssh/ssh_host_ed25519_key").file("/etc/ssh/ssh_host_ed25519_key.pub")
                .link("/etc/localtime", "/usr/share/zoneinfo/UTC").dir("/srv/data").owner("/srv/data", 1000, 1000)
                .sameFile("/srv/data/copy", "/etc/shadow").dir(AGENT_HOME.toString()).tasks(40);
    }

    private static LinuxLaunchPlan plan(FakeHostProbe host, boolean root, Profile.Isolation isolation,
            PathRule... grants) {
        List<PathRule> paths = new ArrayList<>(List.of(grants));
        paths.add(new PathRule(AGENT_HOME, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        ContainmentPolicy policy = new ContainmentPolicy("srv", "test", List.of("/bin/true"), AGENT_HOME,
                Map.of("PATH", "/usr/bin"), java.util.Set.of(), paths, isolation, Profile.Network.NONE,
                new ResourceLimits(1L << 30, 100, OptionalDouble.empty(), OptionalInt.empty(), 1024, 1L << 20, 64L << 20),
                AGENT_HOME, "mcp-agent", List.of(), List.of(), LandlockWeaknesses.acceptable());
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(1), Optional.of(1000), false,
                new LinuxHostFacts.Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        Optional<AgentAccount> agent = root ? Optional.of(new AgentAccount("mcp-agent", 999, 995)) : Optional.empty();
        return new LinuxPlanBuilder(new LinuxPlanBuilder.Launcher(root, root ? 0 : 1000, root ? 0 : 1000, HOME, 0,
                Path.of("/opt/helper"), facts, agent, "run1", Path.of("/etc"), Map.of(), host)).build(policy);
    }

    @Test
    void symlinkedSystemDirectoriesStayLinksAndOnlyTheirTargetsGetRules() {
        String full = plan(mergedUsrHost(), false, Profile.Isolation.FULL).planText();
        assertTrue(full.contains("\nsymlink usr/bin /bin\n") && full.contains("\nsymlink usr/lib /lib\n"), full);
        assertTrue(full.matches("(?s).*\nbind-ro /usr /usr 7 [0-9]+\n.*"), full);
        assertFalse(full.contains("/sbin") || full.contains("/lib64"), "absent directories are left out: " + full);
        assertTrue(full.contains("\nlandlock-ro /usr\nlandlock-ro /etc\n"), "no rule on a link, none twice: " + full);
    }

    @Test
    void secretsAreMaskedAsTheyExistOnTheHost() {
        LinuxLaunchPlan full = plan(mergedUsrHost(), false, Profile.Isolation.FULL);
        assertTrue(full.planText().contains("\nmask /etc/shadow\nmask /etc/ssh/ssh_host_ed25519_key\n"), full.planText());
        assertFalse(full.planText().contains("mask /etc/gshadow"), "nothing to cover");
        assertTrue(full.describe().contains("hidden (inside grants too): /etc/shadow /etc/ssh/ssh_host_ed25519_key;"
                + " no /home, /root, /run, /sys, /var"), full.describe().toString());

        String landlock = plan(mergedUsrHost(), false, Profile.Isolation.LANDLOCK).planText();
        assertTrue(landlock.contains("\nlandlock-readdir /etc\nlandlock-ro /etc/passwd\nlandlock-readdir /etc/ssh\n"
                + "landlock-ro /etc/ssh/ssh_host_ed25519_key.pub\nlandlock-ro /etc/ssh/sshd_config\n"), landlock);
        assertFalse(landlock.contains("/etc/shadow") || landlock.contains("/etc/localtime")
                || landlock.contains("ed25519_key\n"), landlock);
    }

    @Test
    void aGrantThatIsAHardLinkToASecretIsRefused() {
        ContainmentException e = assertThrows(ContainmentException.class, () -> plan(mergedUsrHost(), false,
                Profile.Isolation.FULL, new PathRule(Path.of("/srv/data/copy"), Access.READ_ONLY, PathRule.Origin.GRANT, "g")));
        assertEquals("the grant /srv/data/copy is another name (a hard link) for /etc/shadow, which stays hidden from"
                + " every server; remove the grant", e.getMessage());
    }

    @Test
    void aRootLaunchersGrantShowsItsOnDiskOwnerAsTheAgent() {
        String text = plan(mergedUsrHost(), true, Profile.Isolation.FULL,
                new PathRule(Path.of("/srv/data"), Access.READ_WRITE, PathRule.Origin.GRANT, "g")).planText();
        assertTrue(text.matches("(?s).*\nbind-rw /srv/data /srv/data 7 [0-9]+\nidmap 1000 999 1000 995\n.*"), text);
    }

    @Test
    void withoutItsOwnUserNamespaceTheServerGetsItsProcessesOnTopOfTheRunningOnes() {
        LinuxLaunchPlan landlock = plan(mergedUsrHost(), false, Profile.Isolation.LANDLOCK);
        assertTrue(landlock.planText().contains("\nrlimit nproc 140 140\n"), landlock.planText());
        assertTrue(landlock.describe().contains("processes: RLIMIT_NPROC 140 (40 tasks already running as this uid,"
                + " plus the server's 100)"), landlock.describe().toString());
        assertTrue(plan(mergedUsrHost(), false, Profile.Isolation.FULL).planText().contains("\nrlimit nproc 100 100\n"));
    }
}
