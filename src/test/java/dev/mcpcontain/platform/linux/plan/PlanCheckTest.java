package dev.mcpcontain.platform.linux.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.network.AllowList;
import dev.mcpcontain.platform.linux.HelperLocator;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.LandlockWeaknesses;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's plans, fed to the helper's own reader ({@code mcp-contain-helper --check-plan}, the code a launch
 * runs before anything starts): every kind of plan the launcher writes is accepted, and a broken one is refused
 * with the exact reason. The plans come from the real {@link LinuxPlanBuilder}, for each launcher, isolation,
 * network, grant, limit and home combination it accepts.
 */
@EnabledOnOs(OS.LINUX)
class PlanCheckTest {

    private static final Path HOME = Path.of("/home/alice");
    private static final LinuxHostFacts.Cgroups NO_CGROUPS =
            new LinuxHostFacts.Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    private static final LinuxHostFacts.Cgroups V2 = new LinuxHostFacts.Cgroups(Optional.of(Path.of("/sys/fs/cgroup")),
            Optional.empty(), Optional.empty(), Optional.empty());
    private static final LinuxHostFacts.Cgroups V1 = new LinuxHostFacts.Cgroups(Optional.empty(),
            Optional.of(Path.of("/sys/fs/cgroup/memory")), Optional.of(Path.of("/sys/fs/cgroup/pids")),
            Optional.of(Path.of("/sys/fs/cgroup/cpu")));

    @TempDir
    static Path dir;

    /** What varies besides launcher, isolation and network. */
    enum Variant { PLAIN, GRANTS_AND_HOME_LIMIT, CPU_TIME, CPUS_CGROUP_V2, CPUS_CGROUP_V1 }

    @TestFactory
    Stream<DynamicTest> theHelperAcceptsEveryPlanTheLauncherWrites() throws IOException {
        Path helper = HelperLocator.locate(false);
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean root : new boolean[] {false, true}) {
            for (Profile.Isolation isolation : Profile.Isolation.values()) {
                for (Profile.Network network : Profile.Network.values()) {
                    if (network == Profile.Network.ALLOW_LIST && isolation != Profile.Isolation.FULL) {
                        continue; // refused by the builder: only a network namespace can force the proxy
                    }
                    for (Variant variant : Variant.values()) {
                        if (!root && (variant == Variant.CPUS_CGROUP_V2 || variant == Variant.CPUS_CGROUP_V1)) {
                            continue; // a user launcher has no writable cgroup: 'cpus' is refused
                        }
                        String name = (root ? "root" : "user") + " " + isolation + " network " + network + " " + variant;
                        tests.add(DynamicTest.dynamicTest(name, () -> {
                            String plan = plan(root, isolation, network, variant);
                            Checked checked = check(helper, plan);
                            assertEquals(new Checked(0, "", ""), checked, () -> name + ":\n" + plan);
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    @Test
    void theHelperRefusesABrokenPlanWithTheExactReason() throws IOException {
        Path helper = HelperLocator.locate(false);
        String plan = plan(false, Profile.Isolation.FULL, Profile.Network.NONE, Variant.GRANTS_AND_HOME_LIMIT);
        List<String> lines = plan.lines().toList();
        int mode = lines.indexOf("mode namespaces") + 1;
        int exec = indexOfPrefix(lines, "exec ") + 1;
        int bind = indexOfPrefix(lines, "bind-rw ") + 1;
        assertTrue(mode == 2 && exec > 2 && bind > 2, plan);

        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\nfrobnicate now\n"),
                "plan line 3: unknown operation 'frobnicate' (helper and launcher versions differ?)");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\n\nfrobnicate now\n"),
                "plan line 4: unknown operation 'frobnicate' (helper and launcher versions differ?)");
        assertRefused(helper, "", "not an mcp-contain plan (it is empty)");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces extra\n"),
                "plan line " + mode + ": 'mode' takes 1 argument(s), got 2");
        assertRefused(helper, plan.replace("\n" + lines.get(exec - 1) + "\n", "\nexec\n"),
                "plan line " + exec + ": 'exec' takes 1 argument(s), got 0");
        String threeWordBind = lines.get(bind - 1).substring(0, lines.get(bind - 1).lastIndexOf(' '));
        assertRefused(helper, plan.replace("\n" + lines.get(bind - 1) + "\n", "\n" + threeWordBind + "\n"),
                "plan line " + bind + ": a bind takes SRC DST, or SRC DST DEV INO");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\nmode landlock\n"),
                "plan line 3: 'mode' may appear only once");
        assertRefused(helper, plan.replace("\n" + lines.get(exec - 1) + "\n", "\nexec /bin/tr%2\n"),
                "plan line " + exec + ": bad escape");
        assertRefused(helper, plan.replace("\n" + lines.get(exec - 1) + "\n", "\nexec /bin/t%00rue\n"),
                "plan line " + exec + ": bad escape");
        assertRefused(helper, plan.substring(0, plan.length() - "end\n".length()), "plan is truncated (no 'end' line)");
        assertRefused(helper, plan + "arg more\n", "plan line " + (lines.size() + 1) + ": text after 'end'");
        assertRefused(helper, plan.replaceFirst("\nstdin-hup-grace-ms [0-9]+\n", "\n"),
                "plan has no 'stdin-hup-grace-ms' line");
        assertRefused(helper, plan.replace("mcp-contain-plan 1\n", "mcp-contain-plan 2\n"),
                "not an mcp-contain plan (version 1)");
        // The create guard's three operations only make sense together.
        String unguarded = plan.replaceAll("\ncreate-guard[^\n]*", "");
        assertRefused(helper, unguarded.replace("\nmode namespaces\n", "\nmode namespaces\ncreate-guard-name .git\n"),
                "plan names create-guard names or exempt paths but has no create-guard program");
        assertRefused(helper, unguarded.replace("\nmode namespaces\n", "\nmode namespaces\ncreate-guard 0600000000000000\n"),
                "plan has a create-guard program but no create-guard-name");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\ncreate-guard-name .GIT\n"),
                "plan line 3: create-guard-name must be lower case ASCII");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\ncreate-guard-exempt tmp\n"),
                "plan line 3: create-guard-exempt needs an absolute path");
        // SysV IPC limits: only the namespace's own sysctls, only numbers (ipc.c writes them below /proc/sys/kernel).
        assertTrue(plan.contains("\nipc-limit sem "), plan);
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\nipc-limit ../core_pattern 1\n"),
                "plan line 3: '../core_pattern' is not a SysV IPC limit (shmmax shmall shmmni msgmni msgmnb msgmax sem)");
        assertRefused(helper, plan.replace("\nmode namespaces\n", "\nmode namespaces\nipc-limit msgmni 1%0A2\n"),
                "plan line 3: IPC limit msgmni: '1\n2' is not one or more numbers");
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static void assertRefused(Path helper, String plan, String reason) throws IOException {
        assertEquals(new Checked(125, "", "mcp-contain: " + reason + "\n"), check(helper, plan));
    }

    private record Checked(int exit, String stdout, String stderr) {}

    private static Checked check(Path helper, String plan) throws IOException {
        Process p = new ProcessBuilder(helper.toString(), "--check-plan").start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(plan.getBytes(StandardCharsets.UTF_8));
        } catch (IOException refusedEarly) {
            // The helper may refuse (and exit) before it has read everything: its answer is what counts.
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("--check-plan did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return new Checked(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String plan(boolean root, Profile.Isolation isolation, Profile.Network network, Variant variant)
            throws IOException {
        return launchPlan(root, isolation, network, variant).planText();
    }

    static LinuxLaunchPlan launchPlan(boolean root, Profile.Isolation isolation, Profile.Network network,
            Variant variant) throws IOException {
        Path data = Files.createDirectories(dir.resolve("granted/state"));
        Path agentHome = Files.createDirectories(data.resolve("homes/srv"));
        Path rw = Files.createDirectories(dir.resolve("granted"));
        Path ro = Files.createDirectories(dir.resolve("readonly"));
        Path roInsideRw = Files.createDirectories(rw.resolve("docs"));
        List<PathRule> paths = new ArrayList<>();
        paths.add(new PathRule(agentHome, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        OptionalDouble cpus = OptionalDouble.empty();
        OptionalInt cpuSeconds = OptionalInt.empty();
        long homeSize = 0;
        LinuxHostFacts.Cgroups cgroups = root ? V1 : NO_CGROUPS;
        switch (variant) {
            case PLAIN -> { }
            case GRANTS_AND_HOME_LIMIT -> {
                paths.add(new PathRule(rw, Access.READ_WRITE, PathRule.Origin.GRANT, "--grant rw"));
                paths.add(new PathRule(ro, Access.READ_ONLY, PathRule.Origin.CONSENT, "consent ro"));
                if (isolation != Profile.Isolation.LANDLOCK) { // landlock cannot keep a folder ro inside a rw one
                    paths.add(new PathRule(roInsideRw, Access.READ_ONLY, PathRule.Origin.GRANT, "protected"));
                }
                paths.add(new PathRule(Path.of("/usr/bin/env"), Access.READ_ONLY, PathRule.Origin.PROGRAM, "program"));
                homeSize = 5L << 20;
            }
            case CPU_TIME -> cpuSeconds = OptionalInt.of(60);
            case CPUS_CGROUP_V2 -> {
                cpus = OptionalDouble.of(1.5);
                cgroups = V2;
            }
            case CPUS_CGROUP_V1 -> cpus = OptionalDouble.of(0.5);
        }
        AllowList allow = network == Profile.Network.ALLOW_LIST
                ? AllowList.parse(List.of("allowed.test", "db.test:5432")) : new AllowList(List.of());
        ContainmentPolicy policy = new ContainmentPolicy("srv", "test", List.of("/usr/bin/env", "A=a b", "ünïcode"),
                agentHome, Map.of("PATH", "/usr/bin", "HOME", agentHome.toString(), "SPACED", "x y\tz"), java.util.Set.of(),
                paths, isolation, network, new ResourceLimits(1L << 30, 100, cpus, cpuSeconds, 1024, 1L << 20,
                        64L << 20, homeSize), agentHome, "mcp-agent", List.of(), List.of(), allow,
                LandlockWeaknesses.acceptable());
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(1), Optional.of(1000), false, cgroups);
        Optional<AgentAccount> agent = root ? Optional.of(new AgentAccount("mcp-agent", 999, 995)) : Optional.empty();
        LinuxPlanBuilder.Launcher launcher = new LinuxPlanBuilder.Launcher(root, root ? 0 : 1000, root ? 0 : 1000, HOME,
                2, Path.of("/opt/helper"), facts, agent, "run1", Path.of("/etc"),
                UsernsLimits.forHost(name -> Optional.of(1000L)));
        return new LinuxPlanBuilder(launcher).build(policy);
    }
}
