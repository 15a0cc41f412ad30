package dev.mcpcontain.platform.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.account.AgentAccountSetup;
import dev.mcpcontain.platform.windows.account.AgentAccountStore;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.AclLedger;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerFixture;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend with an agent account set up with the broker, end to end against the fakes: the plan says services
 * session, the grants are made as the user before the broker is asked, the broker starts the server as the agent in
 * session 0, and the exit code comes back.
 */
class WindowsBackendBrokerTest {

    static final Sid ME = Sid.parse("S-1-5-21-1-2-3-1000");
    static final Sid AGENT = Sid.parse("S-1-5-21-1-2-3-1100");

    @TempDir
    Path dir;

    @Test
    void anAgentAccountSetUpWithTheBrokerStartsTheServerInTheServicesSession() throws Exception {
        String agentName = AgentAccountSetup.accountName("mcp-agent", ME);
        AgentAccountStore.Account account = new AgentAccountStore.Account(agentName, AGENT.toString(), "", "",
                "mcp-agent", ME.toString(), AgentAccountStore.Account.SERVICES);
        HostEnvironment host = new HostEnvironment(Map.of("SystemRoot", "/C:/Windows", "ProgramFiles",
                "/C:/Program Files"), dir, dir, -1, -1, "me", true);
        RecordingWin32 win32 = new RecordingWin32();
        try (BrokerFixture broker = new BrokerFixture(dir.resolve("broker"), ME, agentName, AGENT)) {
            WindowsBackend backend = new WindowsBackend(host, () -> win32, 4, name -> Optional.of(account),
                    new InnerRuntime("/C:/Program Files/Java/bin/java.exe", List.of()),
                    () -> broker.launcher(3000, ME));
            WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
            assertTrue(plan.mode().startsWith("windows/broker"), plan.mode());
            ContainedProcess process = backend.start(plan, false);

            assertTrue(broker.started());
            assertEquals(0, broker.serverSession());
            assertEquals(AGENT, broker.serverUser());
            assertEquals(plan.commandLine(), broker.serverCommandLine());
            // The folder grants were made before, by the launcher as you, for the AppContainer and the agent.
            List<Sid> trustees = win32.aces.stream().map(AceSpec::trustee).distinct().toList();
            assertTrue(trustees.contains(AGENT) && trustees.contains(plan.appContainer().orElseThrow().sid()),
                    trustees.toString());
            assertFalse(AclLedger.in(host.dataDirectory()).read().entries().isEmpty());

            broker.serverExits(5);
            assertEquals(5, process.waitFor(Duration.ofSeconds(10)));
        }
    }

    @Test
    void withoutTheServiceTheLaunchFailsClosedNamingSetup() throws Exception {
        AgentAccountStore.Account account = new AgentAccountStore.Account("mcp-agent-x", AGENT.toString(), "", "",
                "mcp-agent", ME.toString(), AgentAccountStore.Account.SERVICES);
        HostEnvironment host = new HostEnvironment(Map.of("SystemRoot", "/C:/Windows"), dir, dir, -1, -1, "me", true);
        RecordingWin32 win32 = new RecordingWin32();
        BrokerClientWin32Absent absent = new BrokerClientWin32Absent();
        WindowsBackend backend = new WindowsBackend(host, () -> win32, 4, name -> Optional.of(account),
                new InnerRuntime("/C:/Program Files/Java/bin/java.exe", List.of()), () -> absent);
        WindowsLaunchPlan plan = backend.plan(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE));
        ContainmentException e = org.junit.jupiter.api.Assertions.assertThrows(ContainmentException.class,
                () -> backend.start(plan, false));
        assertEquals(ContainmentException.Reason.UNENFORCEABLE, e.reason());
        assertTrue(e.getMessage().contains("run 'mcp-contain setup' from an elevated prompt"), e.getMessage());
        assertTrue(win32.resumedThreads.isEmpty(), "nothing ran as you instead");
    }

    /** A host where setup never installed the service. */
    static final class BrokerClientWin32Absent implements dev.mcpcontain.platform.windows.broker.BrokerClientWin32 {
        @Override
        public void startService(String name) {
            throw new Win32CallException("OpenServiceW", 1060, "The specified service does not exist");
        }

        @Override
        public Win32.Handle openPipe(String name, boolean read, boolean write, long waitMillis) {
            throw new AssertionError("no pipe without a service");
        }

        @Override
        public int peekAvailable(Win32.Handle pipe) {
            throw new AssertionError();
        }

        @Override
        public Sid pipeOwner(Win32.Handle pipe) {
            throw new AssertionError();
        }

        @Override
        public int namedPipeServerProcessId(Win32.Handle pipe) {
            throw new AssertionError();
        }

        @Override
        public Sid currentUser() {
            return ME;
        }

        @Override
        public int currentProcessId() {
            return 3000;
        }

        @Override
        public Win32.Handle stdHandle(int which) {
            throw new AssertionError();
        }

        @Override
        public int read(Win32.Handle handle, byte[] buffer, int offset, int length) {
            throw new AssertionError();
        }

        @Override
        public void write(Win32.Handle handle, byte[] buffer, int offset, int length) {
            throw new AssertionError();
        }

        @Override
        public void closeHandle(Win32.Handle handle) {
            throw new AssertionError();
        }
    }
}
