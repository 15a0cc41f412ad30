package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.AgentInnerLauncher;
import dev.mcpcontain.platform.windows.launch.AgentLaunchSequence;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import dev.mcpcontain.platform.windows.launch.LaunchSequence;
import dev.mcpcontain.platform.windows.launch.WindowsProcess;
import dev.mcpcontain.platform.windows.plan.InnerPlan;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Launch under the agent account: the plan, the outer stage against the fake, and the hand-over. */
class AgentLaunchTest {

    static final Sid AGENT = Sid.parse("S-1-5-21-7-7-7-1001");
    static final String PASSWORD = "pa55-w0rd!";
    static final AgentAccountStore.Account ACCOUNT = new AgentAccountStore.Account("mcp-agent", AGENT.toString(),
            Base64.getEncoder().encodeToString(("X" + PASSWORD).getBytes(StandardCharsets.UTF_8)), "", "mcp-agent",
            "S-1-5-21-1-2-3-1000");
    static final InnerRuntime RUNTIME = new InnerRuntime(
            "/C:/Program Files/Java/jdk-17/bin/java.exe", List.of("/C:/Users/me/tools/mcp-contain/lib/mcp-contain.jar",
            "/C:/Users/me/tools/mcp-contain/lib/jna.jar"));

    @TempDir
    Path handOver;

    private final RecordingWin32 win32 = new RecordingWin32();
    private final List<String> grants = new ArrayList<>();

    private WindowsLaunchPlan plan() {
        WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> {
            throw new AssertionError("plan() must not touch Windows");
        }, 4, name -> name.equals("mcp-agent") ? Optional.of(ACCOUNT) : Optional.empty(), RUNTIME);
        return backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/C:/Users/me/Documents", Access.READ_ONLY)));
    }

    private WindowsProcess start(WindowsLaunchPlan plan, boolean inheritStdio) {
        return new AgentLaunchSequence(win32, (id, identity, entries) -> {
            win32.calls.add("reconcileGrants");
            entries.forEach(e -> grants.add(e.trustee().equals(AGENT) ? "agent " + e.path() : "ac " + e.path()));
            return LaunchSequence.Granted.NONE;
        }, blob -> new String(blob, StandardCharsets.UTF_8).substring(1).getBytes(StandardCharsets.UTF_8),
                RUNTIME, handOver, "9-xyz").start(plan, inheritStdio);
    }

    @Test
    void withTheBrokerSettingThePlanGoesThroughTheServicesSessionAndGrantsProgramFilesToTheLpac() {
        AgentAccountStore.Account throughBroker = new AgentAccountStore.Account("mcp-agent", AGENT.toString(),
                ACCOUNT.protectedPassword(), "", "mcp-agent", "S-1-5-21-1-2-3-1000", AgentAccountStore.Account.SERVICES);
        WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> {
            throw new AssertionError("plan() must not touch Windows");
        }, 4, name -> Optional.of(throughBroker), RUNTIME);
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        assertTrue(plan.mode().startsWith("windows/broker (agent account mcp-agent, services session, LPAC"), plan.mode());
        assertTrue(plan.describe().stream().anyMatch(s -> s.contains("services session (session 0, not yours)")));
        List<String> paths = plan.folderAccess().stream().map(AceSpec::path).toList();
        // An LPAC cannot read Program Files through ALL APPLICATION PACKAGES: node's folder gets its own entry.
        assertTrue(paths.contains("/C:/Program Files/nodejs"), paths.toString());
        // The broker needs no inner launcher: no entries for the launcher's JVM or hand-over folder.
        assertFalse(plan.folderAccess().stream().anyMatch(a -> a.reason().startsWith("inner launcher")),
                plan.folderAccess().toString());

        // Positive control: the same account without the broker keeps Program Files out and the inner launcher in.
        WindowsLaunchPlan interactive = plan();
        assertFalse(interactive.folderAccess().stream().anyMatch(a -> a.path().equals("/C:/Program Files/nodejs")));
        assertTrue(interactive.folderAccess().stream().anyMatch(a -> a.reason().startsWith("inner launcher")));
    }

    @Test
    void planGrantsBothTheAppContainerAndTheAgentAndVerifiesTheUser() {
        WindowsLaunchPlan plan = plan();
        assertEquals(Optional.of(ACCOUNT), plan.agentAccount());
        assertEquals(Optional.of(AGENT), plan.verification().user());
        assertTrue(plan.mode().contains("agent account mcp-agent"), plan.mode());
        assertFalse(plan.warnings().stream().anyMatch(w -> w.contains("no agent account")));
        List<String> agentPaths = plan.folderAccess().stream().filter(a -> a.trustee().equals(AGENT)).map(AceSpec::path).toList();
        assertTrue(agentPaths.contains("/C:/Users/me/Documents"));
        assertTrue(agentPaths.contains("/C:/Users/me/tools/mcp-contain/lib"), "the agent must read the launcher's jars");
        assertFalse(agentPaths.contains("/C:/Program Files/Java/jdk-17"), "Program Files is readable already");
        assertTrue(agentPaths.stream().anyMatch(p -> p.endsWith("agent-launch")));
        assertTrue(String.join("\n", plan.describe()).contains("CreateProcessWithLogonW"));
    }

    @Test
    void withoutAnAccountThePlanWarnsOnEveryLaunch() {
        WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4, name -> Optional.empty(), RUNTIME);
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        assertTrue(plan.warnings().stream().anyMatch(w -> w.contains("no agent account 'mcp-agent'")
                && w.contains("mcp-contain setup")), plan.warnings().toString());
    }

    static final List<String> OUTER_ORDER = List.of("reconcileGrants", "currentProcess", "openProcessToken", "tokenUser",
            "createJobObject", "setExtendedLimits", "processWindowStation", "createWindowStation",
            "setProcessWindowStation", "createDesktop", "setProcessWindowStation", "createPipe", "setInheritable",
            "createPipe", "setInheritable", "createPipe", "setInheritable", "stdHandle", "stdHandle", "stdHandle",
            "setInheritable", "setInheritable", "setInheritable", "createProcessWithLogon", "setInheritable",
            "setInheritable", "setInheritable", "openProcessToken", "tokenUser", "assignProcessToJob", "isProcessInJob",
            "resumeThread", "closeHandle");

    @Test
    void outerStageStartsTheInnerLauncherAsTheAgentSuspendedInTheJob() throws IOException {
        WindowsLaunchPlan plan = plan();
        start(plan, false);
        assertEquals(OUTER_ORDER, win32.callNames().subList(0, OUTER_ORDER.size()));
        assertEquals("mcp-agent", win32.logonUser);
        assertEquals(PASSWORD, win32.logonPassword);
        assertEquals(Win32.CREATE_SUSPENDED | Win32.CREATE_UNICODE_ENVIRONMENT | Win32.CREATE_NO_WINDOW, win32.createFlags);
        assertEquals("mcp-contain-9-xyz\\mcp-contain-9-xyz", win32.logonDesktop);
        assertTrue(win32.desktopSddl.contains(AGENT.toString()) && win32.desktopSddl.contains(plan.appContainer().get().sid().toString()));
        assertTrue(win32.createCommandLine.endsWith(".args"), win32.createCommandLine);
        assertTrue(Files.readString(handOver.resolve("9-xyz.args")).contains(AgentInnerLauncher.class.getName()));
        JobLimits outer = win32.jobLimits.values().iterator().next();
        assertTrue(outer.killOnClose());
        assertFalse(outer.breakawayAllowed());
        assertTrue(grants.contains("agent /C:/Users/me/Documents") && grants.contains("ac /C:/Users/me/Documents"));

        Path file = handOver.resolve("9-xyz.json");
        String json = Files.readString(file);
        assertFalse(json.contains(PASSWORD), "the password never reaches the hand-over file");
        WindowsLaunchPlan inner = InnerPlan.fromJson(Files.readAllBytes(file)).toLaunchPlan();
        assertEquals(plan.commandLine(), inner.commandLine());
        assertEquals(plan.environmentBlock(), inner.environmentBlock());
        assertEquals(plan.appContainer(), inner.appContainer());
        assertEquals(plan.job(), inner.job());
        assertEquals(Optional.of(AGENT), inner.verification().user());
        assertEquals(win32.logonDesktop, inner.existingDesktop());
        assertFalse(inner.ownDesktop());
        assertEquals(List.of(), inner.folderAccess(), "grants are the outer launcher's job");
    }

    @Test
    void innerPlanRunsTheFullSequenceOnTheGivenDesktopAndChecksTheUser() throws IOException {
        start(plan(), false);
        WindowsLaunchPlan inner = InnerPlan.fromJson(Files.readAllBytes(handOver.resolve("9-xyz.json"))).toLaunchPlan();
        RecordingWin32 agentSide = new RecordingWin32();
        agentSide.ownUser = AGENT;
        new LaunchSequence(agentSide, (id, identity, e) -> LaunchSequence.Granted.NONE, "inner").start(inner, true);
        assertEquals("mcp-contain-9-xyz\\mcp-contain-9-xyz", agentSide.startup.desktop());
        assertFalse(agentSide.callNames().contains("createWindowStation"));
        assertTrue(agentSide.callNames().contains("createRestrictedToken"));
        List<String> names = agentSide.callNames();
        int userChecked = names.lastIndexOf("tokenUser");
        assertTrue(userChecked > names.indexOf("createProcess") && userChecked < names.indexOf("resumeThread"),
                "the server's user is checked between creation and resume: " + names);

        RecordingWin32 wrongUser = new RecordingWin32();
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new LaunchSequence(wrongUser, (id, identity, x) -> LaunchSequence.Granted.NONE, "inner").start(inner, true));
        assertTrue(e.getMessage().contains("expected the agent account"), e.getMessage());
        assertEquals(List.of(), wrongUser.resumedThreads);
    }

    @Test
    void tamperedHandOverIsRejected() throws IOException {
        start(plan(), false);
        String json = Files.readString(handOver.resolve("9-xyz.json"));
        String tampered = json.replace(plan().appContainer().orElseThrow().sid().toString(),
                CapabilitySids.appContainer("other").toString());
        assertThrows(IllegalArgumentException.class,
                () -> InnerPlan.fromJson(tampered.getBytes(StandardCharsets.UTF_8)).toLaunchPlan());
    }

    static Stream<String> outerCalls() {
        return OUTER_ORDER.stream().distinct().filter(n -> !n.equals("reconcileGrants") && !n.equals("closeHandle")
                && !n.equals("currentProcess"));
    }

    @ParameterizedTest(name = "{0} fails")
    @MethodSource("outerCalls")
    void everyOuterFailureTerminatesTheInnerLauncherAndCleansUp(String call) throws IOException {
        win32.failures.put(call, 5);
        assertThrows(ContainmentException.class, () -> start(plan(), false));
        if (win32.createdProcess != null) {
            assertEquals(List.of(win32.createdProcess), win32.terminatedProcesses);
        }
        if (!call.equals("resumeThread")) {
            assertEquals(List.of(), win32.resumedThreads);
        }
        assertEquals(List.of(), win32.open.entrySet().stream().filter(e -> !e.getValue().startsWith("std ")).toList());
        assertFalse(Files.exists(handOver.resolve("9-xyz.json")), "hand-over file removed");
    }
}
