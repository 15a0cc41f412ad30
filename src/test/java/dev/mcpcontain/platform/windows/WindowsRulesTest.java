package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.acl.GrantReconciler;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.acl.Win32AclEditor;
import dev.mcpcontain.platform.windows.launch.AgentInnerLauncher;
import dev.mcpcontain.platform.windows.launch.AgentLaunchSequence;
import dev.mcpcontain.platform.windows.launch.CommandLineQuoting;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import dev.mcpcontain.platform.windows.launch.JavaArgFile;
import dev.mcpcontain.platform.windows.launch.LaunchSequence;
import dev.mcpcontain.platform.windows.launch.ReferenceArgvParser;
import dev.mcpcontain.platform.windows.launch.ReferenceJavaArgFile;
import dev.mcpcontain.platform.windows.launch.WindowsProcess;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import dev.mcpcontain.platform.windows.plan.InnerPlan;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects of issue 13 against the rules the fake now models. Each "old*" test replays the exact calls the
 * previous code made and shows that the fake refuses them as Windows does; the test beside it runs the current code
 * through the same rule.
 */
class WindowsRulesTest {

    static final Sid AGENT = AgentLaunchTest.AGENT;

    @TempDir
    Path handOver;

    private final RecordingWin32 win32 = new RecordingWin32();

    private static InnerRuntime nineJarsUnderALongProfile() {
        String lib = "C:\\Users\\Alexandra.Montgomery-Fitzgerald\\AppData\\Local\\Programs\\mcp-contain-1.0.0\\lib\\";
        List<String> jars = List.of("mcp-contain-1.0.0.jar", "jna-5.19.1.jar", "jna-platform-5.19.1.jar",
                "jackson-core-2.20.0.jar", "jackson-databind-2.20.0.jar", "jackson-annotations-2.20.jar",
                "picocli-4.7.7.jar", "slf4j-api-2.0.17.jar", "slf4j-simple-2.0.17.jar");
        return new InnerRuntime("C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.13.11-hotspot\\bin\\java.exe",
                jars.stream().map(j -> lib + j).toList());
    }

    private WindowsLaunchPlan agentPlan(InnerRuntime runtime) {
        WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4,
                name -> Optional.of(AgentLaunchTest.ACCOUNT), runtime);
        return backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/C:/Users/me/Documents", Access.READ_ONLY)));
    }

    private WindowsProcess startOuter(WindowsLaunchPlan plan, InnerRuntime runtime) {
        return new AgentLaunchSequence(win32, (id, identity, entries) -> LaunchSequence.Granted.NONE,
                blob -> new String(blob, StandardCharsets.UTF_8).substring(1).getBytes(StandardCharsets.UTF_8),
                runtime, handOver, "9-xyz").start(plan, true);
    }

    /** The agent side: a second fake whose own process is the inner launcher, in the jobs the outer fake put it in. */
    private RecordingWin32 innerSide() {
        RecordingWin32 agentSide = new RecordingWin32();
        agentSide.ownUser = AGENT;
        agentSide.launcherJobs = new ArrayList<>(win32.chainOf(win32.createdProcess));
        agentSide.launcherSession = win32.sessions.get(win32.createdProcess);
        return agentSide;
    }

    private WindowsLaunchPlan innerPlan() throws IOException {
        return InnerPlan.fromJson(Files.readAllBytes(handOver.resolve("9-xyz.json"))).toLaunchPlan();
    }

    // Defect 1: agent-account mode and nested jobs.

    @Test
    void agentModeStartsTheServerNestedInBothJobs() throws IOException {
        InnerRuntime runtime = nineJarsUnderALongProfile();
        startOuter(agentPlan(runtime), runtime);
        RecordingWin32.FakeJob outer = win32.jobs.values().iterator().next();
        assertEquals(0, outer.ui, "the outer job sets no UI limits");
        RecordingWin32 agentSide = innerSide();
        new LaunchSequence(agentSide, (id, identity, e) -> LaunchSequence.Granted.NONE, "inner").start(innerPlan(), true);
        List<RecordingWin32.FakeJob> chain = agentSide.chainOf(agentSide.createdProcess);
        assertEquals(2, chain.size(), chain.toString());
        assertEquals(outer, chain.get(0), "the server is in the outer job: killing the launcher kills it");
        assertEquals(0, chain.get(1).ui, "nested: Windows allows no UI limits on it");
        assertFalse(agentSide.callNames().contains("setUiRestrictions"));
        assertTrue(win32.desktopSddl.contains("(A;;0x20127;;;" + AGENT + ")"), "the window station carries the UI isolation");
    }

    /** The launcher dying closes the outer job's only handle: the server, nested in it, dies with it. */
    @Test
    void killingTheLauncherKillsTheAgentsServer() throws IOException {
        InnerRuntime runtime = nineJarsUnderALongProfile();
        WindowsProcess outer = startOuter(agentPlan(runtime), runtime);
        RecordingWin32 agentSide = innerSide();
        new LaunchSequence(agentSide, (id, identity, e) -> LaunchSequence.Granted.NONE, "inner").start(innerPlan(), true);
        assertFalse(agentSide.isDead(agentSide.createdProcess));
        Win32.Handle outerJob = win32.jobs.keySet().iterator().next();
        win32.closeHandle(outerJob); // what the kernel does when the launcher process dies
        assertTrue(agentSide.isDead(agentSide.createdProcess));
    }

    @Test
    void theActiveProcessLimitIsEnforcedOnJoin() {
        Win32.Handle job = win32.createJobObject();
        win32.setExtendedLimits(job, new JobLimits(JobLimits.LIMIT_ACTIVE_PROCESS, 1, 0, 0, 0, java.util.OptionalInt.empty()));
        Win32.Handle in = win32.duplicate(win32.stdHandle(Win32.STD_INPUT), true);
        Win32.Startup s = new Win32.Startup("", in, in, in, null);
        Win32.CreatedProcess first = win32.createProcess(Optional.empty(), "a.exe", "a", 0, "\0\0", "C:\\", s);
        win32.assignProcessToJob(job, first.process());
        Win32.CreatedProcess second = win32.createProcess(Optional.empty(), "a.exe", "a", 0, "\0\0", "C:\\", s);
        assertThrows(Win32CallException.class, () -> win32.assignProcessToJob(job, second.process()));
        assertTrue(win32.isDead(second.process()));
    }

    @Test
    void oldAgentSequenceIsRefusedByTheNestingRule() {
        // Old outer stage: a job with UI_ALL, the inner launcher assigned to it.
        RecordingWin32.FakeJob oldOuter = RecordingWin32.hostJob(false, JobLimits.UI_ALL);
        RecordingWin32 agentSide = new RecordingWin32();
        agentSide.launcherJobs = new ArrayList<>(List.of(oldOuter));
        // Old inner stage: server job with UI limits, child created suspended, then AssignProcessToJobObject.
        Win32.Handle job = agentSide.createJobObject();
        agentSide.setUiRestrictions(job, JobLimits.UI_ALL);
        Win32.Handle in = agentSide.duplicate(agentSide.stdHandle(Win32.STD_INPUT), true);
        Win32.CreatedProcess child = agentSide.createProcess(Optional.empty(), "node.exe", "node", Win32.CREATE_SUSPENDED,
                "\0\0", "C:\\", new Win32.Startup("", in, in, in, null));
        Win32CallException e = assertThrows(Win32CallException.class, () -> agentSide.assignProcessToJob(job, child.process()));
        assertEquals(Win32CallException.ERROR_ACCESS_DENIED, e.code());
        assertTrue(e.getMessage().contains("UI"), e.getMessage());
    }

    @Test
    void aLauncherInsideAHostJobStillStartsTheServer() {
        win32.launcherJobs.add(RecordingWin32.hostJob(false, 0));
        WindowsLaunchPlan plan = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4).plan(
                TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        new LaunchSequence(win32, (id, identity, e) -> LaunchSequence.Granted.NONE, "x").start(plan, false);
        assertEquals(2, win32.chainOf(win32.createdProcess).size());
        assertFalse(win32.callNames().contains("setUiRestrictions"));
        assertFalse(win32.callNames().contains("assignProcessToJob"), "born in the job through JOB_LIST");
    }

    @Test
    void oldSequenceInsideAHostJobIsRefused() {
        win32.launcherJobs.add(RecordingWin32.hostJob(false, 0));
        Win32.Handle job = win32.createJobObject();
        win32.setUiRestrictions(job, JobLimits.UI_ALL);
        Win32.AttributeList list = win32.createAttributeList(1);
        win32.setJobList(list, List.of(job));
        Win32.Handle in = win32.duplicate(win32.stdHandle(Win32.STD_INPUT), true);
        assertThrows(Win32CallException.class, () -> win32.createProcess(Optional.empty(), "node.exe", "node",
                Win32.CREATE_SUSPENDED, "\0\0", "C:\\", new Win32.Startup("", in, in, in, list)));
        assertNull(win32.createdProcess, "no process exists when its job cannot take it");
    }

    @Test
    void aLauncherInAJobWithUiLimitsFailsClosed() {
        win32.launcherJobs.add(RecordingWin32.hostJob(false, 0x1));
        WindowsLaunchPlan plan = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4).plan(
                TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new LaunchSequence(win32, (id, identity, x) -> LaunchSequence.Granted.NONE, "x").start(plan, false));
        assertTrue(e.getMessage().contains("JOB_LIST"), e.getMessage());
        assertEquals(List.of(), win32.resumedThreads);
    }

    @Test
    void topLevelLaunchKeepsTheJobUiLimits() {
        WindowsLaunchPlan plan = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4).plan(
                TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        new LaunchSequence(win32, (id, identity, e) -> LaunchSequence.Granted.NONE, "x").start(plan, false);
        assertEquals(JobLimits.UI_ALL, win32.chainOf(win32.createdProcess).get(0).ui);
    }

    @Test
    void breakawayNeedsBreakawayOkOnTheImmediateJob() {
        win32.launcherJobs.add(RecordingWin32.hostJob(false, 0));
        Win32.Handle in = win32.duplicate(win32.stdHandle(Win32.STD_INPUT), true);
        Win32.Startup s = new Win32.Startup("", in, in, in, null);
        assertThrows(Win32CallException.class, () -> win32.createProcess(Optional.empty(), "a.exe", "a",
                Win32.CREATE_BREAKAWAY_FROM_JOB, "\0\0", "C:\\", s));
        RecordingWin32 open = new RecordingWin32();
        open.launcherJobs.add(RecordingWin32.hostJob(true, 0));
        Win32.Handle in2 = open.duplicate(open.stdHandle(Win32.STD_INPUT), true);
        Win32.CreatedProcess p = open.createProcess(Optional.empty(), "a.exe", "a", Win32.CREATE_BREAKAWAY_FROM_JOB,
                "\0\0", "C:\\", new Win32.Startup("", in2, in2, in2, null));
        assertEquals(List.of(), open.chainOf(p.process()));
    }

    // Defect 3: CreateProcessWithLogonW's 1024 characters.

    @Test
    void nineJarsUnderALongProfileFitThroughAnArgumentFile() throws IOException {
        InnerRuntime runtime = nineJarsUnderALongProfile();
        startOuter(agentPlan(runtime), runtime);
        assertTrue(win32.createCommandLine.length() <= Win32.LOGON_COMMAND_LINE_MAX, win32.createCommandLine);
        List<String> argv = ReferenceArgvParser.parse(win32.createCommandLine);
        assertEquals(List.of(runtime.javaExecutable(), "@" + handOver.resolve("9-xyz.args")), argv);
        List<String> args = ReferenceJavaArgFile.parse(Files.readString(handOver.resolve("9-xyz.args"), JavaArgFile.nativeEncoding()));
        assertEquals(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp", String.join(";", runtime.classpath()),
                AgentInnerLauncher.class.getName(), handOver.resolve("9-xyz.json").toString()), args);
    }

    @Test
    void oldInlineClassPathIsRefusedByTheFake() {
        InnerRuntime runtime = nineJarsUnderALongProfile();
        String old = CommandLineQuoting.commandLine(List.of(runtime.javaExecutable(), "-Xmx96m", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(";", runtime.classpath()), AgentInnerLauncher.class.getName(),
                "C:\\Users\\Alexandra.Montgomery-Fitzgerald\\AppData\\Local\\mcp-contain\\agent-launch\\1234-abcdef.json"));
        assertTrue(old.length() > 1024, "length " + old.length());
        Win32.Handle h = win32.duplicate(win32.stdHandle(Win32.STD_INPUT), true);
        Win32CallException e = assertThrows(Win32CallException.class, () -> win32.createProcessWithLogon("mcp-agent",
                "x".toCharArray(), runtime.javaExecutable(), old, 0, "\0\0", "C:\\", "", h, h, h));
        assertEquals(Win32CallException.ERROR_INVALID_PARAMETER, e.code());
    }

    @Test
    void argumentFileQuotingSurvivesBackslashesQuotesAndSpaces() {
        List<String> args = List.of("C:\\Program Files\\x\\", "a\"b", "C:\\new\\table", "plain", "");
        assertEquals(args, ReferenceJavaArgFile.parse(JavaArgFile.format(args, StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> JavaArgFile.format(List.of("C:\\Users\\Zoë"), StandardCharsets.US_ASCII));
    }

    // Defect 9: what the inner launcher inherits, and who it is.

    @Test
    void theInnerLauncherInheritsOnlyItsThreeStdioCopies() throws IOException {
        InnerRuntime runtime = nineJarsUnderALongProfile();
        startOuter(agentPlan(runtime), runtime);
        Win32.Startup s = win32.startup;
        assertEquals(Set.of(s.stdin(), s.stdout(), s.stderr()), win32.inherited(win32.createdProcess));
        assertTrue(win32.inheritable.contains(new Win32.Handle(0x10)), "the launcher's own stdio is restored afterwards");
    }

    @Test
    void oldOuterStageLeakedTheLaunchersOwnHandles() {
        // The old outer stage duplicated the std handles and called CreateProcessWithLogonW directly.
        Win32.Handle own = win32.stdHandle(Win32.STD_OUTPUT);
        Win32.Handle copy = win32.duplicate(own, true);
        Win32.CreatedProcess p = win32.createProcessWithLogon("mcp-agent", "x".toCharArray(), "java.exe", "java", 0,
                "\0\0", "C:\\", "", copy, copy, copy);
        assertTrue(win32.inherited(p.process()).contains(own), "no handle list: everything inheritable goes along");
    }

    @Test
    void anInnerLauncherThatIsNotTheAgentIsTerminatedUnresumed() {
        win32.logonSid = Sid.parse("S-1-5-21-9-9-9-500");
        InnerRuntime runtime = nineJarsUnderALongProfile();
        ContainmentException e = assertThrows(ContainmentException.class, () -> startOuter(agentPlan(runtime), runtime));
        assertTrue(e.getMessage().contains("not the agent account"), e.getMessage());
        assertEquals(List.of(win32.createdProcess), win32.terminatedProcesses);
        assertEquals(List.of(), win32.resumedThreads);
    }

    /** Issue 13 defect 8: an account whose password is protected for another user is refused before any call. */
    @Test
    void anAccountSetUpForAnotherUserIsRefused() {
        win32.ownUser = Sid.parse("S-1-5-21-1-2-3-1077");
        InnerRuntime runtime = nineJarsUnderALongProfile();
        ContainmentException e = assertThrows(ContainmentException.class, () -> startOuter(agentPlan(runtime), runtime));
        assertTrue(e.getMessage().contains("was set up for S-1-5-21-1-2-3-1000"), e.getMessage());
        assertFalse(win32.callNames().contains("createProcessWithLogon"));
    }

    /** Issue 13, "the agent session": CreateProcessWithLogonW does not create a separate Windows session. */
    @Test
    void theAgentPathRunsInTheUsersInteractiveSession() throws IOException {
        win32.launcherSession = 3;
        InnerRuntime runtime = nineJarsUnderALongProfile();
        startOuter(agentPlan(runtime), runtime);
        assertEquals(3, win32.processSessionId(win32.createdProcess));
        RecordingWin32 agentSide = innerSide();
        new LaunchSequence(agentSide, (id, identity, e) -> LaunchSequence.Granted.NONE, "inner").start(innerPlan(), true);
        assertEquals(3, agentSide.processSessionId(agentSide.createdProcess), "same session as the user, not session 0");
    }

    // Defect 2: mandatory integrity.

    @Test
    void theLowServerCanWriteItsHomeAndTempAfterTheGrants(@TempDir Path data) throws IOException {
        WindowsLaunchPlan plan = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4).plan(
                TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        Sid ac = plan.appContainer().orElseThrow().sid();
        new GrantReconciler(AclLedger.in(data), new Win32AclEditor(win32), Clock.systemUTC(), l -> true)
                .reconcile("srv-1", plan.appContainer().get().name(), plan.folderAccess(), new AclLedger.Lease("x", "L", 1, ""));
        String temp = TestPolicies.HOME.resolve("AppData/Local/Temp/npm-cache").toString();
        assertTrue(win32.canWrite(temp, Win32.SECURITY_MANDATORY_LOW_RID, List.of(ac)));
        assertFalse(win32.canWrite("/C:/Users/me/Documents/x", Win32.SECURITY_MANDATORY_LOW_RID, List.of(ac)));
    }

    @Test
    void oldGrantsWithoutALabelLeftTheHomeUnwritableForLow(@TempDir Path data) throws IOException {
        WindowsLaunchPlan plan = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4).plan(
                TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        Sid ac = plan.appContainer().orElseThrow().sid();
        List<AceSpec> oldEntries = plan.folderAccess().stream().filter(a -> !a.isLabel()).toList();
        new GrantReconciler(AclLedger.in(data), new Win32AclEditor(win32), Clock.systemUTC(), l -> true)
                .reconcile("srv-1", plan.appContainer().get().name(), oldEntries, new AclLedger.Lease("x", "L", 1, ""));
        String temp = TestPolicies.HOME.resolve("AppData/Local/Temp/x").toString();
        assertTrue(win32.canWrite(temp, Win32.SECURITY_MANDATORY_MEDIUM_RID, List.of(ac)), "the DACL alone allows it");
        assertFalse(win32.canWrite(temp, Win32.SECURITY_MANDATORY_LOW_RID, List.of(ac)), "no write up: Low < Medium");
    }

    @Test
    void aWritableUserFolderWithoutConsentIsRefusedNamingTheFix() {
        ContainmentException e = assertThrows(ContainmentException.class, () -> new WindowsBackend(
                LaunchSequenceTest.HOST, () -> null, 4).plan(TestPolicies.policy(Profile.Isolation.FULL,
                Profile.Network.NONE, TestPolicies.grant("/C:/Users/me/Documents", Access.READ_WRITE))));
        assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
        assertTrue(e.getMessage().contains("--allow-low-label") && e.getMessage().contains("/C:/Users/me/Documents"),
                e.getMessage());
    }

    // Defect 5: identities per configuration.

    @Test
    void identityFollowsTheConfigurationNotJustTheServerId() {
        WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> null, 4);
        String a = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE)).appContainer().get().name();
        String again = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE)).appContainer().get().name();
        String network = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.HOST)).appContainer().get().name();
        String grant = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE,
                TestPolicies.grant("/D:/data", Access.READ_ONLY))).appContainer().get().name();
        assertEquals(a, again);
        assertEquals(3, Set.of(a, network, grant).size());
        IntStream.range(0, 3).forEach(i -> assertTrue(AppContainerNames.isValid(List.of(a, network, grant).get(i))));
        assertTrue(AppContainerNames.isValid(AppContainerNames.forConfiguration("x".repeat(200) + "/:", "c")));
    }

    // Defect 7: x64 only.

    @Test
    void onlyAn64BitX64JvmMayLaunch() {
        assertThrows(ContainmentException.class, () -> WindowsBackend.requireX64("x86", 4));
        assertThrows(ContainmentException.class, () -> WindowsBackend.requireX64("aarch64", 8));
        assertDoesNotThrow(() -> WindowsBackend.requireX64("amd64", 8));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
