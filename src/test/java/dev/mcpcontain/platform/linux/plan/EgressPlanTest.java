package dev.mcpcontain.platform.linux.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.network.AllowList;
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

/** How an allow-list becomes plan operations: own netns, the proxy socket bound in, bridge ports, variables. */
@EnabledOnOs(OS.LINUX)
class EgressPlanTest {

    private static final Path HOME = Path.of("/home/alice");
    private static final Path AGENT_HOME = HOME.resolve(".local/share/mcp-contain/homes/srv");

    private static ContainmentPolicy policy(Profile.Isolation isolation, List<String> allow) {
        List<PathRule> paths = List.of(new PathRule(AGENT_HOME, Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        return new ContainmentPolicy("srv", "test", List.of("/bin/true"), AGENT_HOME, Map.of("PATH", "/usr/bin",
                "JAVA_TOOL_OPTIONS", "-Xmx1g"), Set.of(), paths, isolation, Profile.Network.ALLOW_LIST,
                new ResourceLimits(1L << 30, 100, OptionalDouble.empty(), OptionalInt.empty(), 1024, 1L << 20, 64L << 20),
                AGENT_HOME, "mcp-agent", List.of(), List.of(), AllowList.parse(allow));
    }

    private static LinuxLaunchPlan plan(boolean root, ContainmentPolicy policy) {
        LinuxHostFacts facts = new LinuxHostFacts(Optional.of(7), Optional.of(1000), false,
                new LinuxHostFacts.Cgroups(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        Optional<AgentAccount> agent = root ? Optional.of(new AgentAccount("mcp-agent", 999, 995)) : Optional.empty();
        return new LinuxPlanBuilder(new LinuxPlanBuilder.Launcher(root, root ? 0 : 1000, root ? 0 : 1000, HOME, 0,
                Path.of("/opt/helper"), facts, agent, "run1", Path.of("/etc"))).build(policy);
    }

    @Test
    void anAllowListGetsItsOwnNetworkAndTheProxySocket() {
        for (boolean root : new boolean[] {false, true}) {
            LinuxLaunchPlan plan = plan(root, policy(Profile.Isolation.FULL, List.of("allowed.test", "db.test:5432")));
            String text = plan.planText();
            assertTrue(text.contains(" net\n") || text.contains(" net "), text);
            Path socket = HOME.resolve(".local/share/mcp-contain/run/egress-run1.sock");
            assertEquals(Optional.of(socket), plan.egressSocket());
            assertTrue(text.contains("\nbind-ro " + socket + " /run/mcp-contain/proxy.sock\n"), text);
            assertTrue(text.contains("\nnet-proxy /run/mcp-contain/proxy.sock\nnet-proxy-port 3128\nnet-capture 80\n"
                    + "net-capture 443\nnet-capture 5432\nnet-dns 53\n"), text);
            assertFalse(text.contains("landlock-deny-tcp"), "TCP to the in-sandbox listeners must work");
            assertTrue(text.contains("\nenv HTTPS_PROXY=http://127.0.0.1:3128\n"), text);
            assertTrue(text.contains("\nenv ALL_PROXY=socks5h://127.0.0.1:3128\n"), text);
            assertTrue(text.contains("\nenv NODE_USE_ENV_PROXY=1\n"), text);
            assertTrue(text.contains("\nenv JAVA_TOOL_OPTIONS=-Dhttp.proxyHost=127.0.0.1%20"), text);
            assertTrue(text.contains("%20-Xmx1g\n"), "the server's own JAVA_TOOL_OPTIONS are kept: " + text);
        }
    }

    @Test
    void theProxyPortAvoidsAllowedPorts() {
        String text = plan(false, policy(Profile.Isolation.FULL, List.of("a.test:3128", "b.test:3129"))).planText();
        assertTrue(text.contains("\nnet-proxy-port 3130\n"), text);
    }

    @Test
    void onlyFullIsolationCanCarryAnAllowList() {
        for (Profile.Isolation weaker : new Profile.Isolation[] {Profile.Isolation.LANDLOCK, Profile.Isolation.REDUCED}) {
            ContainmentException e = assertThrows(ContainmentException.class,
                    () -> plan(false, policy(weaker, List.of("allowed.test"))));
            assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
            assertTrue(e.getMessage().contains("needs isolation 'full'"), e.getMessage());
        }
    }

    @Test
    void theDryRunSaysHowItIsEnforced() {
        List<String> steps = plan(false, policy(Profile.Isolation.FULL, List.of("allowed.test"))).describe();
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("network: allow-list allowed.test; own network namespace")),
                steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.contains("DNS answered inside")), steps.toString());
    }
}
