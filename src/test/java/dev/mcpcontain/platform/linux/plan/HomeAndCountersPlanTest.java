package dev.mcpcontain.platform.linux.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The home, tmpfs inode and per-user-namespace counter decisions, read off the plan text. */
@EnabledOnOs(OS.LINUX)
class HomeAndCountersPlanTest {

    private static final Path HOME = Path.of("/home/alice");
    private static final Path USER_HOMES = HOME.resolve(".local/share/mcp-contain/homes");
    private static final Path ROOT_HOMES = Path.of("/var/lib/mcp-contain/homes");
    private static final Map<String, Long> COUNTERS = UsernsLimits.forHost(name -> Optional.of(
            name.equals("max_inotify_instances") ? 128L : name.equals("max_inotify_watches") ? 8192L : 1000L));

    private static String plan(boolean root, Profile.Isolation isolation, long homeSize) {
        Path home = (root ? ROOT_HOMES : USER_HOMES).resolve("srv");
        ContainmentPolicy policy = new ContainmentPolicy("srv", "test", List.of("/bin/true"), home,
                Map.of("PATH", "/usr/bin"), Set.of(),
                List.of(new PathRule(home, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home")), isolation,
                Profile.Network.NONE,
                new ResourceLimits(1L << 30, 100, OptionalDouble.empty(), OptionalInt.empty(), 1024, 1L << 20, 64L << 20,
                        homeSize),
                home, "mcp-agent", List.of(), List.of(), dev.mcpcontain.policy.LandlockWeaknesses.acceptable());
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(1), Optional.of(1000), false,
                new LinuxHostFacts.Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        Optional<AgentAccount> agent = root ? Optional.of(new AgentAccount("mcp-agent", 999, 995)) : Optional.empty();
        LinuxPlanBuilder.Launcher launcher = new LinuxPlanBuilder.Launcher(root, root ? 0 : 1000, root ? 0 : 1000, HOME, 0,
                Path.of("/opt/helper"), facts, agent, "run1", Path.of("/etc"), COUNTERS);
        return new LinuxPlanBuilder(launcher).build(policy).planText();
    }

    @Test
    void theHelperSetsUpTheHomeForTheServersUidWithPrivateModes() {
        assertTrue(plan(false, Profile.Isolation.FULL, 0).contains("\nhome " + USER_HOMES + " srv 1000 1000 700\n"));
        // Root's directory of homes: the agent's group may pass (a server without a mount namespace goes through it
        // by path), no one else; the same mode in every isolation mode, so concurrent launches never flip it.
        assertTrue(plan(true, Profile.Isolation.FULL, 0).contains("\nhome " + ROOT_HOMES + " srv 999 995 710\n"));
        assertTrue(plan(true, Profile.Isolation.LANDLOCK, 0).contains("\nhome " + ROOT_HOMES + " srv 999 995 710\n"));
        assertTrue(plan(false, Profile.Isolation.LANDLOCK, 0).contains("\nhome " + USER_HOMES + " srv 1000 1000 700\n"));
    }

    @Test
    void onlyLandlockIsolationKeepsItsTmpInTheHome() {
        assertTrue(plan(false, Profile.Isolation.LANDLOCK, 0).contains("\nhome-tmp\n"));
        assertFalse(plan(false, Profile.Isolation.FULL, 0).contains("\nhome-tmp\n"));
    }

    @Test
    void homeSizeGoesToTheSupervisor() {
        assertTrue(plan(false, Profile.Isolation.FULL, 5L << 20).contains("\nhome-limit 5242880\n"));
        assertFalse(plan(false, Profile.Isolation.FULL, 0).contains("\nhome-limit"));
    }

    @Test
    void everyTmpfsHasAnInodeLimitOfOnePerKib() {
        String text = plan(false, Profile.Isolation.FULL, 0);
        assertTrue(text.contains("\nroot-tmpfs 1048576 1024\n"), text);
        assertTrue(text.contains("\ntmpfs /tmp 67108864 1777 65536\n"), text);
        assertTrue(text.contains("\ntmpfs /dev 65536 755 1024\n"), text);
        assertTrue(text.contains("\ntmpfs /dev/shm 67108864 1777 65536\n"), text);
        assertEquals(4, text.lines().filter(l -> l.startsWith("tmpfs ") || l.startsWith("root-tmpfs ")).count());
        assertEquals(1024, ResourceLimits.tmpfsInodes(4096), "never fewer than 1024");
    }

    @Test
    void countersAreBoundedInTheServersOwnUserNamespace() {
        String user = plan(false, Profile.Isolation.FULL, 0);
        assertTrue(user.contains("\nuserns-limit max_inotify_instances 32\n"), user);
        assertTrue(user.contains("\nuserns-limit max_inotify_watches 4096\n"), "half the host's when that is lower");
        assertTrue(user.contains("\nuserns-limit max_user_namespaces 0\n"));
        assertFalse(user.contains("\nown-userns"), "a user's server has its user namespace already");
        String root = plan(true, Profile.Isolation.FULL, 0);
        assertTrue(root.contains("\nown-userns required\n") && root.contains("\nuserns-limit max_inotify_instances 32\n"), root);
        assertTrue(plan(true, Profile.Isolation.LANDLOCK, 0).contains("\nown-userns optional\n"),
                "a container's seccomp may refuse even root a user namespace: said on stderr then");
        assertTrue(user.contains("\nrlimit msgqueue 204800 204800\n") && user.contains("\nrlimit sigpending 1024 1024\n"));
    }

    @Test
    void aUserWithoutNamespacesIsToldTheCountersAreShared() {
        String text = plan(false, Profile.Isolation.LANDLOCK, 0);
        assertFalse(text.contains("\nuserns-limit"));
        assertFalse(text.contains("\nown-userns"));
    }

    @Test
    void noCounterAboveHalfTheHostsAndAbsentCountersAreLeftOut() {
        Map<String, Long> limits = UsernsLimits.forHost(name -> name.equals("max_time_namespaces")
                ? Optional.empty() : Optional.of(10L));
        assertFalse(limits.containsKey("max_time_namespaces"));
        assertEquals(5L, limits.get("max_inotify_instances"));
        limits.values().forEach(v -> assertTrue(v <= 5));
    }
}
