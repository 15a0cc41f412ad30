package dev.mcpcontain.platform.windows.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.TestPolicies;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.account.AgentAccountSetup;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerMessages.Message;
import dev.mcpcontain.platform.windows.plan.AppContainerNames;
import dev.mcpcontain.platform.windows.plan.ChildVerification;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker path against the fake world: a LocalSystem broker in session 0, the user's launcher in session 1, and
 * other users. Each test attacks one rule: a caller claiming to be someone else, another user reaching the per-run
 * pipes, a squatter on the broker's pipe name, a token of the wrong session, a broker without SeTcbPrivilege, a dead
 * launcher; each next to the launch that succeeds.
 */
@Timeout(30)
class BrokerTest {

    static final Sid ALICE = Sid.parse("S-1-5-21-1-2-3-1000");
    static final Sid BOB = Sid.parse("S-1-5-21-1-2-3-1001");
    static final Sid ALICE_AGENT = Sid.parse("S-1-5-21-1-2-3-1100");
    static final String ALICE_AGENT_NAME = AgentAccountSetup.accountName("mcp-agent", ALICE);

    @TempDir
    Path dir;

    FakePipeWorld world;
    FakeBrokerWin32 broker;
    BrokerRegistrations registrations;
    BrokerServer server;
    Thread serving;

    @BeforeEach
    void setUp() throws IOException {
        world = new FakePipeWorld();
        broker = new FakeBrokerWin32(world);
        world.accounts.put(ALICE_AGENT_NAME, ALICE_AGENT);
        world.services.put(BrokerMessages.SERVICE_NAME, Sddl.brokerService());
        registrations = BrokerRegistrations.in(dir);
        registrations.put(new BrokerRegistrations.Registration(ALICE.toString(), ALICE_AGENT_NAME, ALICE_AGENT.toString()));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    void startBroker() {
        server = new BrokerServer(broker, registrations);
        Win32.Handle first = server.listen();
        serving = new Thread(() -> server.serve(first), "test-broker");
        serving.setDaemon(true);
        serving.start();
    }

    static WindowsLaunchPlan plan(List<String> capabilities) {
        String name = AppContainerNames.forConfiguration("srv-1", "test");
        WindowsLaunchPlan.AppContainer ac = new WindowsLaunchPlan.AppContainer(name, CapabilitySids.appContainer(name),
                capabilities);
        return WindowsLaunchPlan.builder(TestPolicies.policy(Profile.Isolation.FULL, Profile.Network.NONE))
                .mode("windows/broker")
                .process("C:\\Program Files\\nodejs\\node.exe", "node.exe server.js", "A=1\0\0", "C:\\Users\\a\\home")
                .job(new JobLimits(JobLimits.LIMIT_ACTIVE_PROCESS | JobLimits.LIMIT_BREAKAWAY_OK, 64, 0, 0, 0xFF,
                        OptionalInt.empty()))
                .appContainer(ac)
                .restrictedToken(true)
                .verification(ChildVerification.jobOnly())
                .build();
    }

    FakeBrokerClient alice() {
        return new FakeBrokerClient(world, 3000, ALICE, 1);
    }

    @Test
    void theServerRunsAsTheAgentInTheServicesSessionAsAnLpacWithStdioRelayedAndItsExitCode() throws Exception {
        startBroker();
        FakeBrokerClient launcher = alice();
        BrokerProcess process = new BrokerClient(launcher).start(plan(List.of()), true);

        Win32.Handle created = broker.createdProcess;
        assertEquals(0, broker.sessions.get(created), "services session");
        assertEquals(ALICE_AGENT, broker.users.get(created));
        assertTrue(broker.lpacChildren.get(created), "less-privileged AppContainer");
        assertEquals(1, broker.resumedThreads.size());
        assertTrue(broker.callNames().contains("setJobList"), "born in its job");
        JobLimits job = broker.jobLimits.values().iterator().next();
        assertTrue(job.killOnClose());
        assertEquals(0, job.limitFlags() & JobLimits.LIMIT_BREAKAWAY_OK, "the caller may not ask for breakaway");
        assertEquals(3, broker.handleList.size());
        assertTrue(broker.securityCapabilities.containsAll(CapabilitySids.capabilities(BrokerLaunch.LPAC_BASE)));
        assertEquals(List.of(BrokerMessages.SERVICE_NAME), launcher.startedServices);

        // The MCP client talks to the launcher's stdio; the server reads and writes its pipe ends.
        launcher.feedStdin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n", true);
        Win32.Handle serverStdin = world.heldBy(broker.childPid, "-stdin");
        Win32.Handle serverStdout = world.heldBy(broker.childPid, "-stdout");
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n", FakePipeWorld.text(world, serverStdin));
        byte[] reply = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n".getBytes(StandardCharsets.UTF_8);
        world.write(serverStdout, reply, 0, reply.length);
        broker.childExits(7);

        assertEquals(7, process.waitFor(Duration.ofSeconds(10)));
        launcher.dies();
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", launcher.stdoutText());
    }

    @Test
    void aCallerWhoClaimsToBeAnotherUserIsRefused() throws Exception {
        startBroker();
        // Bob's launcher says it is Alice, to run under Alice's agent account.
        FakeBrokerClient bob = new FakeBrokerClient(world, 3100, BOB, 2) {
            @Override
            public Sid currentUser() {
                return ALICE;
            }
        };
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(bob).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("says it comes from " + ALICE + " but the pipe's client is " + BOB),
                e.getMessage());
        assertNull(broker.createdProcess, "nothing was started");
        assertFalse(broker.callNames().contains("createJobObject"));

        // Positive control: the same request from Alice's own launcher starts.
        BrokerProcess ok = new BrokerClient(alice()).start(plan(List.of()), false);
        assertEquals(1, broker.resumedThreads.size());
        ok.kill();
    }

    @Test
    void aUserWithoutARegisteredAgentIsRefused() {
        startBroker();
        FakeBrokerClient bob = new FakeBrokerClient(world, 3100, BOB, 2);
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(bob).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("no agent account is registered for " + BOB), e.getMessage());
        assertNull(broker.createdProcess);
    }

    @Test
    void aRegistrationThatHandsBobAlicesAgentIsRefused() throws Exception {
        // Planted (or stale) registration: Bob's SID mapped to Alice's agent account.
        registrations.put(new BrokerRegistrations.Registration(BOB.toString(), ALICE_AGENT_NAME, ALICE_AGENT.toString()));
        startBroker();
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(new FakeBrokerClient(world, 3100, BOB, 2)).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("was not made for " + BOB), e.getMessage());
        assertNull(broker.createdProcess);
    }

    @Test
    void impersonationBeforeAnyReadIsRefusedByWindows() {
        Win32.Handle serverEnd = broker.createNamedPipe(BrokerMessages.CONTROL_PIPE, Sddl.brokerControlPipe(),
                BrokerWin32.PipeDirection.DUPLEX, true, 1);
        FakeBrokerClient launcher = alice();
        launcher.openPipe(BrokerMessages.CONTROL_PIPE, true, true, 100);
        BrokerRefusal e = assertThrows(BrokerRefusal.class,
                () -> CallerCheck.authenticate(broker, serverEnd, ALICE.toString()));
        assertTrue(e.getMessage().contains("1368"), e.getMessage());
    }

    /** Drives the broker by hand up to its 'pipes' answer, as Alice. */
    Message requestPipes(FakeBrokerClient launcher, Win32.Handle[] control) throws IOException {
        control[0] = launcher.openPipe(BrokerMessages.CONTROL_PIPE, true, true, 2000);
        BrokerMessages.write(launcher, control[0], Message.run(ALICE.toString(), BrokerClient.runOf(plan(List.of()))));
        return BrokerMessages.read(launcher, control[0]).orElseThrow();
    }

    @Test
    void theRunPipesOpenForTheCallerOnly() throws Exception {
        startBroker();
        FakeBrokerClient launcher = alice();
        Win32.Handle[] control = new Win32.Handle[1];
        Message pipes = requestPipes(launcher, control);
        assertTrue(pipes.is("pipes"), pipes.toString());

        FakeBrokerClient bob = new FakeBrokerClient(world, 3100, BOB, 2);
        Win32CallException denied = assertThrows(Win32CallException.class,
                () -> bob.openPipe(pipes.stdout(), true, false, 0));
        assertEquals(FakePipeWorld.ERROR_ACCESS_DENIED, denied.code());
        assertTrue(denied.getMessage().contains("does not grant"), denied.getMessage());

        // Positive control: Alice's launcher opens all three.
        launcher.closeHandle(launcher.openPipe(pipes.stdin(), false, true, 0));
        launcher.closeHandle(control[0]);
    }

    @Test
    void aRunPipeOpenedByAnotherProcessOfTheSameUserIsRefused() throws Exception {
        startBroker();
        FakeBrokerClient launcher = alice();
        Win32.Handle[] control = new Win32.Handle[1];
        Message pipes = requestPipes(launcher, control);
        // Another of Alice's processes (a Medium-integrity program she runs) grabs the stdout pipe first.
        FakeBrokerClient other = new FakeBrokerClient(world, 3200, ALICE, 1);
        other.openPipe(pipes.stdout(), true, false, 0);
        launcher.openPipe(pipes.stdin(), false, true, 0);
        launcher.openPipe(pipes.stderr(), true, false, 0);
        BrokerMessages.write(launcher, control[0], Message.opened());
        Message answer = BrokerMessages.read(launcher, control[0]).orElseThrow();
        assertTrue(answer.is("refused"), answer.toString());
        assertTrue(answer.message().contains("stdout pipe was opened by process 3200, not by the caller 3000"),
                answer.message());
        assertNull(broker.createdProcess);
    }

    @Test
    void nobodyButSystemCanAddInstancesOfTheBrokerPipe() {
        startBroker();
        FakePipeWorld.Proc bob = new FakePipeWorld.Proc(3100, BOB, 2, true);
        Win32CallException e = assertThrows(Win32CallException.class, () -> world.create(bob,
                BrokerMessages.CONTROL_PIPE, "D:(A;;GA;;;WD)", BrokerWin32.PipeDirection.DUPLEX, false, 255));
        assertEquals(FakePipeWorld.ERROR_ACCESS_DENIED, e.code());
        assertTrue(e.getMessage().contains("FILE_CREATE_PIPE_INSTANCE"), e.getMessage());
        // With GENERIC_WRITE for interactive users (which includes FILE_CREATE_PIPE_INSTANCE) Bob could.
        assertTrue(FakePipeWorld.allowed(bob, "D:P(A;;GA;;;SY)(A;;GRGW;;;IU)", 0x4));
        assertFalse(FakePipeWorld.allowed(bob, Sddl.brokerControlPipe(), 0x4));
        // Network logons are denied outright; contained servers (no IU, not SYSTEM) get nothing.
        assertFalse(FakePipeWorld.allowed(new FakePipeWorld.Proc(9, BOB, 0, false), Sddl.brokerControlPipe(), 0x3));
    }

    @Test
    void aSquatterOnThePipeNameGetsNothingAndTheBrokerRefusesToShareIt() {
        // Bob creates the broker's pipe name before the broker starts.
        FakePipeWorld.Proc bob = new FakePipeWorld.Proc(3100, BOB, 2, true);
        world.processes.put(3100, bob);
        world.create(bob, BrokerMessages.CONTROL_PIPE, "D:(A;;GA;;;WD)", BrokerWin32.PipeDirection.DUPLEX, false, 255);

        server = new BrokerServer(broker, registrations);
        Win32CallException taken = assertThrows(Win32CallException.class, server::listen);
        assertEquals(FakePipeWorld.ERROR_ACCESS_DENIED, taken.code());

        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(alice()).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("is owned by " + BOB + ", not LocalSystem"), e.getMessage());
        // Naming LocalSystem as the owner is not open to Bob either.
        Win32CallException owner = assertThrows(Win32CallException.class, () -> world.create(bob,
                "\\\\.\\pipe\\other", "O:SYD:(A;;GA;;;WD)", BrokerWin32.PipeDirection.DUPLEX, true, 1));
        assertEquals(1307, owner.code());
        String bobSaw = readAllQueued(world);
        assertEquals("", bobSaw, "the launcher sent nothing to the squatter");
    }

    private static String readAllQueued(FakePipeWorld world) {
        StringBuilder seen = new StringBuilder();
        synchronized (world) {
            world.pipes.values().forEach(list -> list.forEach(i -> i.toServer.forEach(b -> seen.append((char) (byte) b))));
        }
        return seen.toString();
    }

    @Test
    void aTokenForAnotherSessionIsRefused() {
        broker.s4uSessionOverride = 1;
        startBroker();
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(alice()).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("session 1, not the services session"), e.getMessage());
        assertNull(broker.createdProcess);
    }

    @Test
    void aBrokerWithoutTcbGetsAnIdentificationTokenAndStartsNothing() {
        broker.holdsTcb = false;
        startBroker();
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(alice()).start(plan(List.of()), false));
        assertTrue(e.getMessage().contains("1346"), e.getMessage());
        assertTrue(broker.resumedThreads.isEmpty());
    }

    @Test
    void killingTheLauncherKillsTheServer() throws Exception {
        startBroker();
        FakeBrokerClient launcher = alice();
        new BrokerClient(launcher).start(plan(List.of()), true);
        Win32.Handle created = broker.createdProcess;
        assertFalse(broker.isDead(created));
        launcher.dies();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!broker.isDead(created) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(broker.isDead(created), "the broker closed the job when its caller went");
        assertEquals(BrokerSession.KILLED, (int) broker.exitCodes.get(created));
    }

    @Test
    void requestsForForeignIdentitiesOrCapabilitiesAreRefused() {
        startBroker();
        WindowsLaunchPlan foreign = plan(List.of("documentsLibrary"));
        ContainmentException e = assertThrows(ContainmentException.class,
                () -> new BrokerClient(alice()).start(foreign, false));
        assertTrue(e.getMessage().contains("capability 'documentsLibrary' may not be requested"), e.getMessage());

        BrokerMessages.Run run = BrokerClient.runOf(plan(List.of()));
        BrokerMessages.Run store = new BrokerMessages.Run(run.serverId(), run.application(), run.commandLine(),
                run.environmentBlock(), run.currentDirectory(), 0, 0, 0, 0, 0,
                "Microsoft.WindowsCalculator_8wekyb3d8bbwe", List.of());
        BrokerRefusal r = assertThrows(BrokerRefusal.class, () -> BrokerLaunch.check(store));
        assertTrue(r.getMessage().contains("not one mcp-contain makes"), r.getMessage());
        assertNull(broker.createdProcess);
    }

    @Test
    void theServiceReportsItsStatesInTheOrderTheScmAccepts() throws Exception {
        BrokerService service = new BrokerService(broker, registrations, () -> {
            try {
                new FakeBrokerClient(world, 3999, Sid.LOCAL_SYSTEM, 0)
                        .openPipe(BrokerMessages.CONTROL_PIPE, true, true, 1000);
            } catch (Win32CallException e) {
                // Not waiting.
            }
        });
        Thread dispatcher = new Thread(service::dispatch);
        dispatcher.start();
        broker.awaitState(BrokerWin32.SERVICE_RUNNING);
        assertEquals(BrokerWin32.SERVICE_RUNNING, service.status().state());
        broker.sendControl(BrokerWin32.SERVICE_CONTROL_STOP);
        dispatcher.join(10_000);
        assertEquals(List.of(BrokerWin32.SERVICE_START_PENDING, BrokerWin32.SERVICE_RUNNING,
                        BrokerWin32.SERVICE_STOP_PENDING, BrokerWin32.SERVICE_STOPPED),
                broker.statuses.stream().map(BrokerWin32.ServiceStatus::currentState).toList());
        // After STOPPED the SCM takes no further status.
        assertThrows(Win32CallException.class, () -> broker.setServiceStatus(new Win32.Handle(0x5CA1),
                new BrokerWin32.ServiceStatus(BrokerWin32.SERVICE_RUNNING, 0, 0, 0, 0)));
    }

    @Test
    void aServiceWhosePipeNameIsTakenStopsWithTheErrorAndNeverReportsRunning() throws Exception {
        FakePipeWorld.Proc bob = new FakePipeWorld.Proc(3100, BOB, 2, true);
        world.create(bob, BrokerMessages.CONTROL_PIPE, "D:(A;;GA;;;WD)", BrokerWin32.PipeDirection.DUPLEX, false, 255);
        BrokerService service = new BrokerService(broker, registrations, () -> { });
        service.dispatch();
        assertEquals(List.of(BrokerWin32.SERVICE_START_PENDING, BrokerWin32.SERVICE_STOPPED),
                broker.statuses.stream().map(BrokerWin32.ServiceStatus::currentState).toList());
        assertEquals(FakePipeWorld.ERROR_ACCESS_DENIED, broker.statuses.get(1).win32ExitCode());
    }

    @Test
    void theStatusMachineRefusesWhatTheScmRejects() {
        ServiceStatusMachine machine = new ServiceStatusMachine();
        assertThrows(IllegalStateException.class, machine::running, "RUNNING before START_PENDING");
        BrokerWin32.ServiceStatus pending = machine.startPending();
        assertEquals(0, pending.controlsAccepted(), "no controls while starting");
        assertEquals(2, machine.startPending().checkPoint(), "check points count up");
        machine.running();
        machine.stopped(0);
        assertThrows(IllegalStateException.class, machine::stopPending, "nothing after STOPPED");
        // The fake SCM, with its own table, agrees: RUNNING before START_PENDING is refused.
        Win32CallException e = assertThrows(Win32CallException.class, () -> {
            broker.runServiceDispatcher(BrokerMessages.SERVICE_NAME, c -> { }, h -> broker.setServiceStatus(h,
                    new BrokerWin32.ServiceStatus(BrokerWin32.SERVICE_RUNNING, 1, 0, 0, 0)));
            throw broker.lastDispatcherFailure;
        });
        assertEquals(FakeBrokerWin32.ERROR_INVALID_DATA, e.code());
    }

    @Test
    void onlyInteractiveUsersMayStartTheServiceAndNobodyButAdminsStopOrDeleteIt() {
        FakePipeWorld.Proc bob = new FakePipeWorld.Proc(3100, BOB, 2, true);
        assertTrue(FakePipeWorld.allowed(bob, Sddl.brokerService(), 0x10 | 0x4), "SERVICE_START | QUERY_STATUS");
        assertFalse(FakePipeWorld.allowed(bob, Sddl.brokerService(), 0x20), "SERVICE_STOP");
        assertFalse(FakePipeWorld.allowed(bob, Sddl.brokerService(), 0x10000), "DELETE");
        assertFalse(FakePipeWorld.allowed(bob, Sddl.brokerService(), 0x2), "SERVICE_CHANGE_CONFIG");
        assertFalse(FakePipeWorld.allowed(new FakePipeWorld.Proc(9, BOB, 0, false), Sddl.brokerService(), 0x10),
                "a non-interactive logon may not start it");
    }

    @Test
    void registrationsAreKeyedByTheAuthenticatedUser() throws IOException {
        assertEquals(Optional.of(ALICE_AGENT_NAME), registrations.forUser(ALICE).map(r -> r.agentUserName()));
        assertEquals(Optional.empty(), registrations.forUser(BOB));
        assertTrue(Files.exists(registrations.file()));
        assertTrue(registrations.remove(ALICE));
        assertEquals(Optional.empty(), registrations.forUser(ALICE));
    }
}
