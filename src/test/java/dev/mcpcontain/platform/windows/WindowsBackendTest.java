package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.HostCheck;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.EnvironmentBlock;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.profile.Profile;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowsBackendTest {

    private final WindowsBackend backend = new WindowsBackend(LaunchSequenceTest.HOST, () -> {
        throw new AssertionError("plan() must not touch Windows");
    }, 4);

    @Test
    void loadsByNameWithTheHostConstructorTheLauncherUses() throws ReflectiveOperationException {
        Constructor<?> ctor = Class.forName("dev.mcpcontain.platform.windows.WindowsBackend")
                .getConstructor(HostEnvironment.class);
        Object loaded = ctor.newInstance(LaunchSequenceTest.HOST);
        assertEquals("windows", ((WindowsBackend) loaded).name());
    }

    @Test
    void fullPlanDescribesEveryStepWithoutTouchingWindows() {
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        assertEquals("windows/appcontainer (restricted token, Low integrity, job object)", plan.mode());
        String steps = String.join("\n", plan.describe());
        for (String expected : List.of("AppContainer mcp-contain.srv-1.", "(S-1-15-2-", "capabilities: none (no network)",
                "restricted copy of yours", "Low integrity", "kill on close", "at most 512 processes",
                "own window station and desktop", "PROC_THREAD_ATTRIBUTE_HANDLE_LIST", "create suspended",
                "verify before resume", "integrity at most Low", "member of the job", "exit 125")) {
            assertTrue(steps.contains(expected), expected + " missing from\n" + steps);
        }
        assertFalse(steps.contains("secret"), "environment values never appear in the plan");
        String name = plan.appContainer().orElseThrow().name();
        assertTrue(name.matches("mcp-contain\\.srv-1\\.[0-9a-f]{12}") && AppContainerNames.isValid(name), name);
        assertEquals(CapabilitySids.appContainer(name), plan.appContainer().orElseThrow().sid());
        assertTrue(plan.restrictedToken());
        assertTrue(plan.ownDesktop());
        assertTrue(plan.warnings().contains(WindowsBackend.LIMITS_WITHOUT_MECHANISM));
    }

    @Test
    void networkHostAddsInternetClientOnlyAndWarnsAboutLoopback() {
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.HOST));
        assertEquals(List.of("internetClient"), plan.appContainer().orElseThrow().capabilities());
        assertEquals(List.of(Sid.parse("S-1-15-3-1")), plan.verification().capabilities());
        assertTrue(plan.warnings().stream().anyMatch(w -> w.contains("loopback")));
        WindowsLaunchPlan none = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        assertEquals(List.of(), none.appContainer().orElseThrow().capabilities());
    }

    @Test
    void landlockIsRefusedWithAClearMessage() {
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> backend.plan(TestPolicies.policy(Profile.Isolation.LANDLOCK, Profile.Network.NONE)));
        assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
        assertTrue(e.getMessage().contains("landlock") && e.getMessage().contains("--isolation full"), e.getMessage());
    }

    @Test
    void reducedIsWarnedAndCannotPromiseNoNetwork() {
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.REDUCED, Profile.Network.HOST));
        assertEquals("windows/reduced (job object only)", plan.mode());
        assertTrue(plan.warnings().get(0).startsWith("reduced isolation"));
        assertTrue(plan.appContainer().isEmpty());
        assertFalse(plan.restrictedToken());
        assertEquals(List.of(), plan.folderAccess());
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> backend.plan(TestPolicies.policy(Profile.Isolation.REDUCED, Profile.Network.NONE)));
        assertTrue(e.getMessage().contains("network 'none' needs an AppContainer"), e.getMessage());
    }

    @Test
    void batchFilesAndAppExecutionAliasesAreRefused() {
        ContainmentException batch = assertThrows(ContainmentException.class,
                () -> WindowsBackend.checkedProgram("C:\\Program Files\\nodejs\\npx.CMD"));
        assertTrue(batch.getMessage().contains("batch file") && batch.getMessage().contains("npx-cli.js"));
        ContainmentException alias = assertThrows(ContainmentException.class, () -> WindowsBackend.checkedProgram(
                "C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe"));
        assertTrue(alias.getMessage().contains("App Execution Alias"));
        assertEquals("C:\\Python312\\python.exe", WindowsBackend.checkedProgram("C:\\Python312\\python.exe"));
    }

    @Test
    void systemDirectoriesComeFromTheEnvironmentWhateverTheCase() {
        assertEquals(List.of("/C:/Windows", "/C:/Program Files"), backend.systemDirectories());
    }

    @Test
    void prepareCreatesTheAgentHomeWithItsTemp(@TempDir Path dir) throws Exception {
        ContainmentPolicy base = TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE);
        Path home = dir.resolve("homes/srv-1");
        ContainmentPolicy policy = new ContainmentPolicy(base.serverId(), base.profileName(), base.command(), home,
                base.environment(), base.sensitiveNames(), base.paths(), base.isolation(), base.network(), base.limits(),
                home, base.agentUser(), base.toolAllow(), base.toolDeny());
        backend.prepare(backend.plan(policy));
        assertTrue(Files.isDirectory(home.resolve("AppData/Local/Temp")));
        assertTrue(Files.isDirectory(home.resolve("AppData/Roaming")));
    }

    @Test
    void checkProbesEveryRequiredFeature() {
        RecordingWin32 fake = new RecordingWin32();
        HostCheck ok = new WindowsHostCheck(LaunchSequenceTest.HOST, () -> fake, "10.0", "amd64").run();
        assertTrue(ok.ready(), ok.toString());
        assertEquals("windows", ok.backend());
        fake.missingFunctions.add("CreateAppContainerProfile");
        HostCheck missing = new WindowsHostCheck(LaunchSequenceTest.HOST, () -> fake, "10.0", "amd64").run();
        assertFalse(missing.ready());
        HostCheck.Feature ac = missing.features().stream().filter(f -> f.name().equals("appcontainer")).findFirst().orElseThrow();
        assertFalse(ac.available());
        assertFalse(ac.fix().isEmpty());
        HostCheck.Feature agent = ok.features().stream().filter(f -> f.name().equals("agent-account")).findFirst().orElseThrow();
        assertFalse(agent.available(), "no account file on the test host");
        assertTrue(agent.fix().contains("mcp-contain setup"));
        HostCheck.Feature session = ok.features().stream().filter(f -> f.name().equals("agent-session")).findFirst().orElseThrow();
        assertFalse(session.available(), "no broker set up on the test host");
        assertTrue(session.fix().contains("without --no-broker"), session.fix());
        HostCheck old = new WindowsHostCheck(LaunchSequenceTest.HOST, RecordingWin32::new, "6.1", "amd64").run();
        assertFalse(old.ready());
        assertTrue(old.mode().contains("windows-10-or-later"));
    }

    @Test
    void environmentBlockCarriesThePolicysEnvironment() {
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        assertEquals(EnvironmentBlock.build(Map.of("PATH", "C:\\Windows\\System32", "SYSTEMROOT", "C:\\Windows",
                "API_TOKEN", "secret")), plan.environmentBlock());
    }
}
