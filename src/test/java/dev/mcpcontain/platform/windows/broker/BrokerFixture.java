package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.io.IOException;
import java.nio.file.Path;

/** A running fake broker for tests outside this package: one registered user, its agent, and launchers. */
public final class BrokerFixture implements AutoCloseable {

    private final FakePipeWorld world = new FakePipeWorld();
    private final FakeBrokerWin32 broker = new FakeBrokerWin32(world);
    private final BrokerServer server;

    public BrokerFixture(Path directory, Sid user, String agentUserName, Sid agent) throws IOException {
        world.accounts.put(agentUserName.toLowerCase(java.util.Locale.ROOT), agent);
        world.services.put(BrokerMessages.SERVICE_NAME, Sddl.brokerService());
        BrokerRegistrations registrations = BrokerRegistrations.in(directory);
        registrations.put(new BrokerRegistrations.Registration(user.toString(), agentUserName, agent.toString()));
        server = new BrokerServer(broker, registrations);
        Win32.Handle first = server.listen();
        Thread serving = new Thread(() -> server.serve(first), "fixture-broker");
        serving.setDaemon(true);
        serving.start();
    }

    /** A launcher of {@code user} in session 1. */
    public BrokerClientWin32 launcher(int pid, Sid user) {
        return new FakeBrokerClient(world, pid, user, 1);
    }

    public boolean started() {
        return broker.createdProcess != null && broker.resumedThreads.size() == 1;
    }

    public int serverSession() {
        return broker.sessions.get(broker.createdProcess);
    }

    public Sid serverUser() {
        return broker.users.get(broker.createdProcess);
    }

    public String serverCommandLine() {
        return broker.createCommandLine;
    }

    public void serverExits(int code) {
        broker.childExits(code);
    }

    @Override
    public void close() {
        server.stop();
    }
}
