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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;

/** The Linux decisions, read off the plan text the helper would receive. */
@EnabledOnOs(OS.LINUX)
class LinuxPlanBuilderTest {

    private static final Path HOME = Path.of("/home/alice");
    private static final Path AGENT_HOME = HOME.resolve(".local/share/mcp-contain/homes/srv");
    private static final LinuxHostFacts.Cgroups NO_CGROUPS =
            new LinuxHostFacts.Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    private static final LinuxHostFacts.Cgroups V1 = new LinuxHostFacts.Cgroups(Optional.empty(),
            Optional.of(Path.of("/sys/fs/cgroup/memory")), Optional.of(Path.of("/sys/fs/cgroup/pids")), Optional.empty());

    private static ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, OptionalDouble cpus,
            List<PathRule> extra) {
        return policy(isolation, network, cpus, extra, LandlockWeaknesses.acceptable());
    }

    private static ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, OptionalDouble cpus,
            List<PathRule> extra, Set<String> accepted) {
        List<PathRule> paths = new java.util.ArrayList<>(extra);
        paths.add(new PathRule(AGENT_HOME, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        return new ContainmentPolicy("srv", "test", List.of("/bin/true"), AGENT_HOME, Map.of("PATH", "/usr/bin", "HOME",
                AGENT_HOME.toString()), Set.of(), paths, isolation, network,
                new ResourceLimits(1L << 30, 100, cpus, OptionalInt.empty(), 1024, 1L << 20, 64L << 20),
                AGENT_HOME, "mcp-agent", List.of(), List.of(), accepted);
    }

    private static LinuxLaunchPlan launchPlan(ContainmentPolicy policy) {
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(1), Optional.of(1000), false, NO_CGROUPS);
        return new LinuxPlanBuilder(new LinuxPlanBuilder.Launcher(false, 1000, 1000, HOME, 0, Path.of("/opt/helper"),
                facts, Optional.empty(), "run1", Path.of("/etc"))).build(policy);
    }

    private static String plan(boolean root, LinuxHostFacts.Cgroups cgroups, ContainmentPolicy policy) {
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(1), Optional.of(1000), false, cgroups);
        Optional<AgentAccount> agent = root ? Optional.of(new AgentAccount("mcp-agent", 999, 995)) : Optional.empty();
        LinuxPlanBuilder.Launcher launcher = new LinuxPlanBuilder.Launcher(root, root ? 0 : 1000, root ? 0 : 1000, HOME, 0,
                Path.of("/opt/helper"), facts, agent, "run1", Path.of("/etc"));
        return new LinuxPlanBuilder(launcher).build(policy).planText();
    }

    @Test
    void aUserGetsItsOwnUserNamespaceAndNoNetwork() {
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.empty(), List.of()));
        assertTrue(text.contains("\nmode namespaces\n"), text);
        assertTrue(text.contains("\nunshare user pid ipc uts mnt cgroup net\n"), text);
        assertTrue(text.contains("\nmap-ids\n"));
        assertFalse(text.contains("\nidentity "), "a user is never switched");
        assertTrue(text.contains("\nrlimit nproc 100 100\n"), "counted inside its own user namespace");
        assertTrue(text.contains("\nrlimit data 1073741824 1073741824\n"), "memory without a cgroup");
        assertTrue(text.contains("\nmask /etc/shadow\n"));
        assertTrue(text.contains("\ntmpfs /tmp 67108864 1777 65536\n"), "every tmpfs has an inode limit");
        assertTrue(text.contains("\nlandlock-deny-tcp optional\n") && text.contains("\nlandlock-scope optional\n"),
                "the namespaces already isolate network and signals");
        assertTrue(text.endsWith("\nend\n"));
    }

    @Test
    void rootDropsToTheAgentWithCgroupsAndIdmappedGrants() {
        PathRule grant = new PathRule(Path.of("/tmp"), Access.READ_WRITE, PathRule.Origin.GRANT, "--grant /tmp:rw");
        String text = plan(true, V1, policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.empty(), List.of(grant)));
        assertTrue(text.contains("\nidentity 999 995\n"), text);
        assertFalse(text.contains(" user "), "root needs no user namespace");
        assertTrue(text.matches("(?s).*\nbind-rw /tmp /tmp [0-9]+ [0-9]+\nidmap 0 999 0 995\n.*"), "owner shown as the agent");
        assertTrue(text.contains("\ncgroup /sys/fs/cgroup/memory/mcp-contain/srv.run1\n"));
        assertTrue(text.contains("\ncgroup-set /sys/fs/cgroup/pids/mcp-contain/srv.run1 pids.max 100\n"));
        assertFalse(text.contains("rlimit nproc"), "the pids cgroup counts the tree");
    }

    @Test
    void theCreateGuardWatchesProtectedWritableGrantsAndExemptsTheServersOwnMounts() {
        PathRule grant = new PathRule(Path.of("/srv/p"), Access.READ_WRITE, PathRule.Origin.GRANT, "--grant /srv/p:rw");
        PathRule open = new PathRule(Path.of("/srv/q"), Access.READ_WRITE, PathRule.Origin.GRANT,
                "--grant /srv/q:rw,unprotected");
        PathRule pinInOpen = new PathRule(Path.of("/srv/q/module"), Access.READ_WRITE, PathRule.Origin.GRANT,
                dev.mcpcontain.policy.PolicyResolver.PINNED_INSIDE + "/srv/q");
        PathRule pinInGrant = new PathRule(Path.of("/srv/p/sub"), Access.READ_WRITE, PathRule.Origin.GRANT,
                dev.mcpcontain.policy.PolicyResolver.PINNED_INSIDE + "/srv/p");
        String full = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE,
                OptionalDouble.empty(), List.of(grant, open, pinInOpen, pinInGrant)));
        assertTrue(full.matches("(?s).*\ncreate-guard [0-9a-f]+\n.*"), full);
        assertTrue(full.contains("\ncreate-guard-name .git\n") && full.contains("\ncreate-guard-name head\n"), full);
        for (String exempt : List.of("/tmp", "/dev/shm", "/srv/q", "/srv/q/module", AGENT_HOME.toString())) {
            assertTrue(full.contains("\ncreate-guard-exempt " + exempt + "\n"), exempt + " in " + full);
        }
        assertFalse(full.contains("create-guard-exempt /srv/p"), "a protected grant and its pins are guarded");

        String landlock = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE,
                OptionalDouble.empty(), List.of(grant)));
        assertTrue(landlock.contains("\ncreate-guard-exempt " + AGENT_HOME + "\n"), landlock);
        assertFalse(landlock.contains("create-guard-exempt /tmp\n"), "no private /tmp without a mount namespace");

        // Red team: without a mount namespace a protected grant inside an ,unprotected one that is a host mount's root
        // shared its mount id, so the helper let .git through in the protected grant. Such a path is not exempt.
        PathRule outer = new PathRule(Path.of("/srv"), Access.READ_WRITE, PathRule.Origin.GRANT,
                "--grant /srv:rw,unprotected");
        String nested = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE,
                OptionalDouble.empty(), List.of(outer, grant)));
        assertFalse(nested.contains("create-guard-exempt /srv\n"), nested);
        assertTrue(nested.contains("\ncreate-guard-exempt " + AGENT_HOME + "\n"), nested);
        String nestedFull = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE,
                OptionalDouble.empty(), List.of(outer, grant)));
        assertTrue(nestedFull.contains("\ncreate-guard-exempt /srv\n"), "full isolation binds each grant: " + nestedFull);

        for (List<PathRule> unguarded : List.of(List.of(open), List.of(new PathRule(Path.of("/srv/p"),
                Access.READ_ONLY, PathRule.Origin.GRANT, "--grant /srv/p")), List.<PathRule>of())) {
            String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE,
                    OptionalDouble.empty(), unguarded));
            assertFalse(text.contains("create-guard"), unguarded + ": " + text);
        }
        String reduced = plan(false, NO_CGROUPS, policy(Profile.Isolation.REDUCED, Profile.Network.NONE,
                OptionalDouble.empty(), List.of(grant)));
        assertFalse(reduced.contains("create-guard"), "reduced isolation protects nothing, and says so");
    }

    @Test
    void hostNetworkRequiresLandlockScopesForAbstractSockets() {
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.HOST, OptionalDouble.empty(), List.of()));
        assertFalse(text.contains(" net\n"), text);
        assertTrue(text.contains("\nlandlock-scope required\n"), text);
    }

    @Test
    void landlockIsolationRefusesWhatItCannotKeep() {
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), List.of()));
        assertTrue(text.contains("\nmode landlock\n") && !text.contains("\nunshare"), text);
        assertTrue(text.contains("\nlandlock-deny-tcp required\n") && text.contains("\nlandlock-scope required\n"));
        List<PathRule> nested = List.of(
                new PathRule(Path.of("/srv/p"), Access.READ_WRITE, PathRule.Origin.GRANT, "rw"),
                new PathRule(Path.of("/srv/p/.git/hooks"), Access.READ_ONLY, PathRule.Origin.GRANT, "protected"));
        ContainmentException e = assertThrows(ContainmentException.class, () -> plan(false, NO_CGROUPS,
                policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), nested)));
        assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
        assertTrue(e.getMessage().contains("cannot keep /srv/p/.git/hooks read-only"), e.getMessage());
    }

    @Test
    void masksComeAfterTheGrantsAndBindsCarryTheCheckedDeviceAndInode() {
        PathRule grant = new PathRule(Path.of("/tmp"), Access.READ_ONLY, PathRule.Origin.GRANT, "--grant /tmp:ro",
                Optional.of(new PathRule.FileKey(42, 7)));
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.empty(), List.of(grant)));
        int bind = text.indexOf("\nbind-ro /tmp /tmp 42 7\n");
        assertTrue(bind > 0, text);
        assertTrue(text.indexOf("\nmask /etc/shadow\n") > bind, "a grant cannot cover a mask: " + text);
        assertTrue(text.matches("(?s).*\nbind-ro /usr /usr [0-9]+ [0-9]+\n.*"), "system binds are verified too");
    }

    @Test
    void aGrantOfAMaskedPathIsRefused() {
        PathRule grant = new PathRule(Path.of("/etc/shadow"), Access.READ_ONLY, PathRule.Origin.GRANT, "--grant /etc/shadow");
        ContainmentException e = assertThrows(ContainmentException.class, () -> plan(false, NO_CGROUPS,
                policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.empty(), List.of(grant))));
        assertTrue(e.getMessage().contains("/etc/shadow, which stays hidden from every server"), e.getMessage());
    }

    @Test
    void landlockIsolationRefusesEveryOpenWeaknessTheProfileDoesNotAccept() {
        Set<String> some = Set.of("landlock-stat-metadata");
        ContainmentException e = assertThrows(ContainmentException.class, () -> launchPlan(
                policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), List.of(), some)));
        assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
        assertTrue(e.getMessage().contains("\n  landlock-host-pids: "), e.getMessage());
        assertFalse(e.getMessage().contains("landlock-stat-metadata:"), "accepted ones are not listed");
        assertFalse(e.getMessage().contains("landlock-device-nodes"), "no grant, so no device nodes: " + e.getMessage());
        assertTrue(e.getMessage().contains("\"accept\": [\"landlock-host-pids\""), e.getMessage());

        List<PathRule> grant = List.of(new PathRule(Path.of("/srv/data"), Access.READ_WRITE, PathRule.Origin.GRANT, "rw"));
        Set<String> allButDevices = new java.util.TreeSet<>(LandlockWeaknesses.acceptable());
        allButDevices.remove("landlock-device-nodes");
        ContainmentException withGrant = assertThrows(ContainmentException.class, () -> launchPlan(
                policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), grant, allButDevices)));
        assertTrue(withGrant.getMessage().contains("landlock-device-nodes: "), withGrant.getMessage());
    }

    @Test
    void acceptedWeaknessesAreWarnedAndDescribedOneLineEach() {
        LinuxLaunchPlan plan = launchPlan(policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), List.of()));
        for (LandlockWeaknesses.Weakness w : LandlockWeaknesses.openFor(plan.policy())) {
            assertTrue(plan.warnings().contains("accepted weakness " + w.name() + ": " + w.meaning()), plan.warnings().toString());
            assertTrue(plan.describe().stream().anyMatch(d -> d.startsWith("accepted weakness " + w.name() + " (")));
        }
        assertTrue(plan.warnings().stream().noneMatch(w -> w.contains("\n")));
    }

    @Test
    void landlockIsolationAllowsOnlyNamedDevicesOwnProcEntriesAndEtcWithoutSecrets() {
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), List.of()));
        for (String device : List.of("null", "zero", "full", "random", "urandom")) {
            assertTrue(text.contains("\nlandlock-dev /dev/" + device + "\n"), text);
        }
        for (String hidden : List.of("/dev", "/dev/shm", "/dev/pts", "/dev/tty", "/proc", "/proc/net", "/etc", "/etc/shadow")) {
            assertFalse(text.matches("(?s).*\nlandlock-(ro|rw|dev) " + java.util.regex.Pattern.quote(hidden) + "\n.*"), hidden + " in\n" + text);
        }
        assertTrue(text.contains("\nlandlock-own-proc status\n") && !text.contains("\nlandlock-own-proc net\n")
                && !text.contains("\nlandlock-own-proc task\n"), text);
        assertTrue(text.contains("\nlandlock-ro /proc/cpuinfo\n"), text);
        assertTrue(text.contains("\nlandlock-readdir /etc\n") && text.contains("\nlandlock-ro /etc/passwd\n"), text);
        for (String line : text.split("\n")) {
            if (line.startsWith("landlock-r") || line.startsWith("landlock-dev")) {
                Path path = Path.of(line.substring(line.indexOf(' ') + 1));
                assertFalse(java.nio.file.Files.isSymbolicLink(path), "rule on a symlink: " + line);
            }
        }
    }

    /** Landlock isolation: the home and every writable grant are islands (no link or rename between them); never in full. */
    @Test
    void landlockIsolationKeepsTheHomeAndEachWritableGrantApart(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path a = java.nio.file.Files.createDirectory(dir.resolve("a"));
        Path b = java.nio.file.Files.createDirectory(dir.resolve("b"));
        Path ro = java.nio.file.Files.createDirectory(dir.resolve("ro"));
        List<PathRule> grants = List.of(new PathRule(a, Access.READ_WRITE, PathRule.Origin.GRANT, "rw"),
                new PathRule(b, Access.READ_WRITE, PathRule.Origin.GRANT, "rw"),
                new PathRule(ro, Access.READ_ONLY, PathRule.Origin.GRANT, "ro"));
        String text = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE,
                OptionalDouble.empty(), grants));
        List<String> islands = text.lines().filter(l -> l.startsWith("landlock-island ")).toList();
        assertEquals(List.of("landlock-island " + a, "landlock-island " + b, "landlock-island " + AGENT_HOME), islands,
                text);
        String full = plan(false, NO_CGROUPS, policy(Profile.Isolation.FULL, Profile.Network.NONE,
                OptionalDouble.empty(), grants));
        assertFalse(full.contains("landlock-island"), full);
        String homeOnly = plan(false, NO_CGROUPS, policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE,
                OptionalDouble.empty(), List.of()));
        assertFalse(homeOnly.contains("landlock-island"), "one writable place needs nothing: " + homeOnly);
    }

    @Test
    void landlockIsolationRefusesGrantsInKernelFilesystems() {
        for (String kernel : List.of("/dev", "/dev/shm", "/proc/1", "/sys/kernel")) {
            List<PathRule> grant = List.of(new PathRule(Path.of(kernel), Access.READ_ONLY, PathRule.Origin.GRANT, "ro"));
            ContainmentException e = assertThrows(ContainmentException.class, () -> plan(false, NO_CGROUPS,
                    policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE, OptionalDouble.empty(), grant)));
            assertTrue(e.getMessage().startsWith("isolation 'landlock' cannot grant " + kernel), e.getMessage());
        }
    }

    @Test
    void aCpuLimitWithoutACgroupIsRefused() {
        ContainmentException e = assertThrows(ContainmentException.class, () -> plan(false, NO_CGROUPS,
                policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.of(1.5), List.of())));
        assertTrue(e.getMessage().startsWith("the profile limits 'cpus', which needs a writable cgroup"), e.getMessage());
    }

    @Test
    void environmentAndCommandTravelEncoded() {
        ContainmentPolicy p = policy(Profile.Isolation.FULL, Profile.Network.NONE, OptionalDouble.empty(), List.of());
        String text = plan(false, NO_CGROUPS, p);
        assertTrue(text.contains("\nexec /bin/true\narg /bin/true\n"), text);
        assertEquals("a%20b%0Ac%25", PlanWriter.encode("a b\nc%"));
    }

    /** Each isolation mode compiles the filter for that mode, and the plan carries exactly those bytes. */
    @Test
    void theSeccompFilterIsCompiledForTheIsolationMode() {
        Map<Profile.Isolation, dev.mcpcontain.platform.linux.seccomp.SeccompOptions.Isolation> expected = Map.of(
                Profile.Isolation.FULL, dev.mcpcontain.platform.linux.seccomp.SeccompOptions.Isolation.FULL,
                Profile.Isolation.LANDLOCK, dev.mcpcontain.platform.linux.seccomp.SeccompOptions.Isolation.LANDLOCK,
                Profile.Isolation.REDUCED, dev.mcpcontain.platform.linux.seccomp.SeccompOptions.Isolation.REDUCED);
        expected.forEach((isolation, seccomp) -> {
            LinuxHostFacts facts = new LinuxHostFacts(Optional.of(6), Optional.of(1000), false, NO_CGROUPS);
            LinuxPlanBuilder.Launcher launcher = new LinuxPlanBuilder.Launcher(false, 1000, 1000, HOME, 0,
                    Path.of("/opt/helper"), facts, Optional.empty(), "run1", Path.of("/etc"));
            LinuxLaunchPlan plan = new LinuxPlanBuilder(launcher).build(policy(isolation, Profile.Network.HOST,
                    OptionalDouble.empty(), List.of()));
            assertEquals(seccomp, plan.seccomp().isolation(), isolation::toString);
            String hex = java.util.HexFormat.of().formatHex(
                    dev.mcpcontain.platform.linux.seccomp.SeccompCompiler.compile(plan.seccomp()));
            assertTrue(plan.planText().contains("\nseccomp " + hex + "\n"), isolation::toString);
            boolean landlock = isolation == Profile.Isolation.LANDLOCK;
            assertEquals(landlock, plan.describe().stream().anyMatch(l -> l.contains("shmget (")), isolation::toString);
            assertTrue(plan.describe().stream().anyMatch(l -> l.contains("fchmod (") && l.contains("S_ISUID")),
                    isolation::toString);
        });
    }
}
