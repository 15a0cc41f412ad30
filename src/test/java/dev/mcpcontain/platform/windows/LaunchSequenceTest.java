package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.LaunchSequence;
import dev.mcpcontain.platform.windows.launch.WindowsProcess;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The launch sequence against a recording fake: order, flags, inheritance, verification, and every failure path. */
class LaunchSequenceTest {

    static final HostEnvironment HOST = new HostEnvironment(
            Map.of("SystemRoot", "/C:/Windows", "ProgramFiles", "/C:/Program Files"),
            Path.of("/C:/Users/me"), Path.of("/C:/Users/me"), -1, -1, "me", true);

    private final RecordingWin32 win32 = new RecordingWin32();
    private final List<String> grantCalls = new ArrayList<>();
    private IOException grantFailure;

    private WindowsLaunchPlan plan(Profile.Isolation isolation, Profile.Network network) {
        WindowsBackend backend = new WindowsBackend(HOST, () -> {
            throw new AssertionError("plan() must not touch Windows");
        }, 4);
        return backend.plan(TestPolicies.policy(isolation, network,
                TestPolicies.grant("/C:/Users/me/Documents", Access.READ_ONLY)));
    }

    private WindowsProcess start(WindowsLaunchPlan plan, boolean inheritStdio) {
        return new LaunchSequence(win32, (serverId, identity, entries) -> {
            win32.calls.add("reconcileGrants");
            grantCalls.add(serverId + " " + entries.size());
            if (grantFailure != null) {
                throw grantFailure;
            }
            return LaunchSequence.Granted.NONE;
        }, "77-abc").start(plan, inheritStdio);
    }

    static final List<String> FULL_ORDER = List.of(
            "createAppContainerProfile", "reconcileGrants",
            "currentProcess", "openProcessToken", "tokenUser", "createRestrictedToken", "setIntegrityLevel",
            "createJobObject", "setExtendedLimits", "currentProcess", "isProcessInAnyJob", "setUiRestrictions",
            "processWindowStation", "createWindowStation", "setProcessWindowStation", "createDesktop", "setProcessWindowStation",
            "createPipe", "setInheritable", "createPipe", "setInheritable", "createPipe", "setInheritable",
            "createAttributeList", "setHandleList", "setJobList", "setSecurityCapabilities",
            "createProcess",
            "openProcessToken", "tokenIsAppContainer", "tokenAppContainerSid", "tokenCapabilities",
            "tokenIntegrityLevel", "tokenGroups", "tokenPrivileges", "isProcessInJob",
            "resumeThread", "closeHandle");

    @Test
    void fullIsolationRunsTheDocumentedOrder() {
        start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        List<String> names = win32.callNames();
        assertEquals(FULL_ORDER, names.subList(0, FULL_ORDER.size()));
        // Then cleanup only: the attribute list and the handles that must not outlive creation.
        assertTrue(names.subList(FULL_ORDER.size(), names.size()).stream()
                .allMatch(n -> n.equals("closeHandle") || n.equals("deleteAttributeList")), names.toString());
        assertEquals(List.of("srv-1 3"), grantCalls,
                "Documents, the agent home and its Low label; node under Program Files needs none");
    }

    @Test
    void processIsCreatedSuspendedWithARestrictedLowToken() {
        WindowsLaunchPlan plan = plan(Profile.Isolation.FULL, Profile.Network.NONE);
        start(plan, false);
        assertEquals(Win32.CREATE_SUSPENDED | Win32.EXTENDED_STARTUPINFO_PRESENT | Win32.CREATE_UNICODE_ENVIRONMENT
                | Win32.CREATE_NO_WINDOW, win32.createFlags);
        assertEquals(0, win32.createFlags & Win32.CREATE_BREAKAWAY_FROM_JOB);
        assertTrue(win32.calls.stream().anyMatch(c -> c.startsWith("createRestrictedToken(") && c.contains(", 1, [S-1-5-32-544], [])")),
                win32.calls.toString());
        assertTrue(win32.calls.stream().anyMatch(c -> c.startsWith("setIntegrityLevel(") && c.endsWith("S-1-16-4096)")));
        assertTrue(win32.createToken.isPresent());
        assertTrue(win32.calls.stream().anyMatch(c -> c.equals("openProcessToken(0xffffffffffffffff, 0xf01ff)")), win32.calls.toString());
        assertEquals(TestPolicies.NODE, win32.createApplication);
        assertEquals("\"" + TestPolicies.NODE + "\" server.js --root \"C:\\My Files\\\\\"", win32.createCommandLine);
        assertEquals(plan.environmentBlock(), win32.createEnvironment);
        assertTrue(win32.createEnvironment.endsWith("\0\0"));
        assertEquals(TestPolicies.HOME.toString(), win32.createDirectory);
    }

    @Test
    void jobGetsKillOnCloseLimitsAndAllUiRestrictions() {
        start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        JobLimits limits = win32.jobLimits.values().iterator().next();
        assertTrue(limits.killOnClose());
        assertFalse(limits.breakawayAllowed());
        assertEquals(512, limits.activeProcessLimit());
        assertEquals(2L << 30, limits.jobMemoryLimit());
        assertEquals(0xFF, win32.uiRestrictions.values().iterator().next());
    }

    @Test
    void onlyTheChildPipeEndsAreInheritableAndListed() {
        WindowsLaunchPlan plan = plan(Profile.Isolation.FULL, Profile.Network.NONE);
        // Snapshot the inheritable handles at the moment of creation.
        Set<Win32.Handle> atCreation = new HashSet<>();
        RecordingWin32 spy = win32;
        start(plan, false);
        Win32.Startup s = spy.startup;
        Set<Win32.Handle> childEnds = Set.of(s.stdin(), s.stdout(), s.stderr());
        assertEquals(3, childEnds.size());
        assertEquals(List.copyOf(List.of(s.stdin(), s.stdout(), s.stderr())), spy.handleList);
        atCreation.addAll(spy.inheritable);
        assertEquals(childEnds, atCreation, "nothing but the child's ends is inheritable");
        Win32.Handle job = spy.jobLimits.keySet().iterator().next();
        assertFalse(spy.inheritable.contains(job));
        assertFalse(spy.inheritable.contains(spy.createToken.get()));
        for (Win32.Handle end : childEnds) {
            assertFalse(spy.open.containsKey(end), "child end " + end + " must be closed after creation");
        }
        assertFalse(spy.open.containsKey(spy.createToken.get()), "token closed");
        assertFalse(spy.open.containsKey(spy.createdThread), "thread handle closed after resume");
        assertTrue(spy.open.containsKey(job), "job stays open: it is the tree's lifeline");
        assertTrue(spy.open.containsKey(spy.createdProcess));
        assertEquals(s.desktop(), "mcp-contain-77-abc\\mcp-contain-77-abc");
        assertTrue(spy.desktopSddl.contains(plan.appContainer().orElseThrow().sid().toString()));
        assertTrue(spy.desktopSddl.contains(spy.ownUser.toString()));
    }

    @Test
    void inheritedStdioPassesInheritableCopiesOfTheLaunchersOwnHandles() {
        start(plan(Profile.Isolation.FULL, Profile.Network.NONE), true);
        assertEquals(3, win32.callNames().stream().filter("stdHandle"::equals).count());
        assertEquals(0, win32.callNames().stream().filter("createPipe"::equals).count());
        Win32.Startup s = win32.startup;
        assertEquals(List.of(s.stdin(), s.stdout(), s.stderr()), win32.handleList);
        assertEquals(Set.of(s.stdin(), s.stdout(), s.stderr()), win32.inherited(win32.createdProcess),
                "the handle list, not everything inheritable, is what the child gets");
        assertFalse(win32.open.containsKey(s.stdout()), "copies closed after creation");
        assertTrue(win32.open.containsKey(new Win32.Handle(0x14)), "the launcher's own stdout stays open");
    }

    @Test
    void capabilitiesFollowTheNetworkSetting() {
        start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        assertEquals(List.of(), win32.securityCapabilities);
        RecordingWin32 other = new RecordingWin32();
        new LaunchSequence(other, (id, identity, e) -> LaunchSequence.Granted.NONE, "x").start(plan(Profile.Isolation.FULL, Profile.Network.HOST), false);
        assertEquals(List.of(Sid.parse("S-1-15-3-1")), other.securityCapabilities);
        assertEquals(plan(Profile.Isolation.FULL, Profile.Network.HOST).appContainer().orElseThrow().sid(),
                other.securityCapabilitiesSid);
    }

    @Test
    void reducedIsolationUsesTheJobOnly() {
        start(plan(Profile.Isolation.REDUCED, Profile.Network.HOST), false);
        List<String> names = win32.callNames();
        for (String absent : List.of("createAppContainerProfile", "reconcileGrants", "createRestrictedToken",
                "setSecurityCapabilities", "createWindowStation", "tokenIsAppContainer")) {
            assertFalse(names.contains(absent), absent + " in " + names);
        }
        assertTrue(win32.createToken.isEmpty());
        assertTrue(names.indexOf("isProcessInJob") < names.indexOf("resumeThread"));
        assertTrue(win32.calls.contains("createAttributeList(2)"));
    }

    @Test
    void verificationCompletesBeforeResume() {
        start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        List<String> names = win32.callNames();
        int resume = names.indexOf("resumeThread");
        for (String check : List.of("createProcess", "tokenIsAppContainer", "tokenAppContainerSid",
                "tokenCapabilities", "tokenIntegrityLevel", "tokenGroups", "tokenPrivileges", "isProcessInJob")) {
            assertTrue(names.indexOf(check) >= 0 && names.indexOf(check) < resume, check);
        }
    }

    /** Every call of a normal launch, made to fail in turn. */
    static Stream<String> everyCall() {
        return FULL_ORDER.stream().distinct().filter(n -> !n.equals("reconcileGrants") && !n.equals("closeHandle")
                && !n.equals("currentProcess"));
    }

    @ParameterizedTest(name = "{0} fails")
    @MethodSource("everyCall")
    void everyFailureTerminatesTheChildAndNeverResumesIt(String call) {
        win32.failures.put(call, 5);
        WindowsLaunchPlan plan = plan(Profile.Isolation.FULL, Profile.Network.NONE);
        ContainmentException e = assertThrows(ContainmentException.class, () -> start(plan, false));
        assertTrue(e.getMessage().contains(call), e.getMessage());
        assertFailedClosed(call.equals("resumeThread"));
    }

    @Test
    void grantFailureStopsBeforeAnythingIsCreated() {
        grantFailure = new IOException("acl-grants.json: not a valid grant ledger");
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false));
        assertEquals(ContainmentException.Reason.LAUNCH_FAILED, e.reason());
        assertFalse(win32.callNames().contains("createProcess"));
    }

    @Test
    void unexpectedAppContainerSidIsRefusedBeforeAnyGrant() {
        win32.appContainerSidGiven = Sid.parse("S-1-15-2-1-2-3-4-5-6-7");
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false));
        assertEquals(ContainmentException.Reason.VERIFICATION_FAILED, e.reason());
        assertEquals(List.of(), grantCalls);
    }

    static Stream<Arguments> lies() {
        return Stream.of(
                Arguments.of("not an AppContainer", (Consumer<RecordingWin32>) w -> w.childIsAppContainer = false),
                Arguments.of("wrong AppContainer SID", (Consumer<RecordingWin32>) w ->
                        w.childAppContainerSid = Optional.of(CapabilitySids.appContainer("other"))),
                Arguments.of("no AppContainer SID", (Consumer<RecordingWin32>) w -> w.childAppContainerSid = Optional.empty()),
                Arguments.of("Medium integrity", (Consumer<RecordingWin32>) w -> w.childIntegrity = Sid.integrity(0x2000)),
                Arguments.of("extra capability", (Consumer<RecordingWin32>) w -> w.childCapabilities =
                        List.of(new Win32.Group(Sid.parse("S-1-15-3-1"), Win32.SE_GROUP_ENABLED))),
                Arguments.of("Administrators enabled", (Consumer<RecordingWin32>) w -> w.childGroups =
                        List.of(new Win32.Group(Sid.ADMINISTRATORS, Win32.SE_GROUP_ENABLED))),
                Arguments.of("privileges kept", (Consumer<RecordingWin32>) w -> w.childPrivileges = List.of(23L, 20L)),
                Arguments.of("not in the job", (Consumer<RecordingWin32>) w -> w.childInJob = false),
                Arguments.of("still suspended after resume", (Consumer<RecordingWin32>) w -> w.suspendCountBeforeResume = 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lies")
    void aChildThatIsNotWhatThePolicyAskedIsTerminated(String name, Consumer<RecordingWin32> lie) {
        lie.accept(win32);
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false));
        assertTrue(e.getMessage().contains("terminated"), e.getMessage());
        assertFailedClosed(name.startsWith("still suspended"));
    }

    /** The child (if created) was terminated and not resumed; every handle the sequence opened is closed. */
    private void assertFailedClosed(boolean resumeWasAttempted) {
        if (win32.createdProcess != null) {
            assertEquals(List.of(win32.createdProcess), win32.terminatedProcesses);
            List<String> names = win32.callNames();
            assertTrue(names.lastIndexOf("terminateProcess") > names.lastIndexOf("resumeThread"));
        }
        if (!resumeWasAttempted) {
            assertEquals(List.of(), win32.resumedThreads, "never resumed");
        }
        List<String> leaked = win32.open.entrySet().stream().filter(e -> !e.getValue().startsWith("std "))
                .map(e -> e.getKey() + " " + e.getValue()).toList();
        assertEquals(List.of(), leaked, "handles left open");
    }

    @Test
    void stopClosesStdinThenKillsTheTreeAfterTheGrace() throws InterruptedException {
        WindowsProcess process = start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        assertTrue(process.isAlive());
        assertEquals(4242, process.pid());
        int code = process.stop(Duration.ofMillis(1));
        assertEquals(WindowsProcess.KILLED, code);
        List<String> names = win32.callNames();
        // The fake hands out handles in order: the parent's end of the stdin pipe follows the child's.
        Win32.Handle stdinParentEnd = new Win32.Handle(win32.startup.stdin().value() + 4);
        int stdinClosed = win32.calls.indexOf("closeHandle(" + stdinParentEnd + ")");
        assertTrue(stdinClosed > 0 && stdinClosed < names.indexOf("terminateJob"), win32.calls.toString());
        Win32.Handle job = win32.jobLimits.keySet().iterator().next();
        assertFalse(win32.open.containsKey(job), "job handle closed: kill-on-close");
        assertNotNull(win32.calls.stream().filter(c -> c.equals("terminateJob(" + job + ", 137)")).findFirst().orElse(null));
    }

    @Test
    void serverExitCodePassesThrough() throws InterruptedException {
        WindowsProcess process = start(plan(Profile.Isolation.FULL, Profile.Network.NONE), false);
        win32.exitCodes.put(win32.createdProcess, 3);
        assertEquals(3, process.waitFor());
        assertEquals(3, process.stop(Duration.ofSeconds(1)));
        assertFalse(win32.callNames().contains("terminateJob"));
    }
}
