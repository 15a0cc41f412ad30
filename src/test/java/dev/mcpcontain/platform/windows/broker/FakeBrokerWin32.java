package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.RecordingWin32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The broker service's process in a {@link FakePipeWorld}: LocalSystem in session 0, holding SeTcbPrivilege (each
 * can be changed to model a wrongly installed service). On top of {@link RecordingWin32}'s launch rules it models:
 * <ul>
 *   <li>S4U: an account's token for the caller's session; without SeTcbPrivilege only an identification token,
 *       which CreateProcessAsUserW refuses (ERROR_BAD_IMPERSONATION_LEVEL);</li>
 *   <li>LPAC: the child is a less-privileged AppContainer only if ALL_APPLICATION_PACKAGES_POLICY was set;</li>
 *   <li>the SCM's state table for SetServiceStatus (ERROR_INVALID_DATA for a transition it does not accept, and
 *       ERROR_INVALID_HANDLE after STOPPED), and controls delivered only when the status accepts them;</li>
 *   <li>inheritance of pipe ends listed in the handle list: the child holds them until it dies.</li>
 * </ul>
 */
final class FakeBrokerWin32 extends RecordingWin32 implements BrokerWin32 {

    static final int BROKER_PID = 700;
    static final int ERROR_INVALID_DATA = 13;
    static final int ERROR_INVALID_HANDLE = 6;
    static final int ERROR_SERVICE_CANNOT_ACCEPT_CTRL = 1061;
    static final int ERROR_NO_SUCH_USER = 1317;

    final FakePipeWorld world;
    FakePipeWorld.Proc self;
    boolean holdsTcb = true;
    /** A wrong S4U implementation would give a token of some other session: set to model it. */
    Integer s4uSessionOverride;
    boolean lpacRequested;
    final Map<Handle, Boolean> lpacChildren = new LinkedHashMap<>();
    final List<ServiceStatus> statuses = new ArrayList<>();
    final List<String> protectedPaths = new ArrayList<>();
    ControlHandler handler;
    volatile Win32CallException lastDispatcherFailure;
    private int scmState;
    private int scmCheckPoint;
    private final Handle statusHandle = new Handle(0x5CA1);
    int childPid = 4242;

    FakeBrokerWin32(FakePipeWorld world) {
        this.world = world;
        this.self = new FakePipeWorld.Proc(BROKER_PID, Sid.LOCAL_SYSTEM, 0, false);
        world.processes.put(BROKER_PID, self);
        launcherSession = 0;
        ownUser = Sid.LOCAL_SYSTEM;
    }

    // Services

    @Override
    public void installService(String name, String displayName, String binaryPath, String sddl) {
        world.services.put(name, sddl);
    }

    @Override
    public boolean deleteService(String name) {
        return world.services.remove(name) != null;
    }

    @Override
    public void runServiceDispatcher(String name, ControlHandler handler, ServiceMain main) {
        if (!world.services.containsKey(name)) {
            throw new Win32CallException("StartServiceCtrlDispatcherW", 1063, "not started by the SCM");
        }
        this.handler = handler;
        lastDispatcherFailure = null;
        Thread serviceThread = new Thread(() -> {
            try {
                main.run(statusHandle);
            } catch (Win32CallException e) {
                lastDispatcherFailure = e;
            }
        }, "fake-service-main");
        serviceThread.start();
        try {
            serviceThread.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The SCM's transition table, kept apart from the broker's own {@link ServiceStatusMachine}. */
    @Override
    public synchronized void setServiceStatus(Handle status, ServiceStatus s) {
        if (!status.equals(statusHandle) || scmState == SERVICE_STOPPED) {
            throw new Win32CallException("SetServiceStatus", ERROR_INVALID_HANDLE, "injected by rule: no status"
                    + " handle (never registered, or the service already reported STOPPED)");
        }
        boolean pending = s.currentState() == SERVICE_START_PENDING || s.currentState() == SERVICE_STOP_PENDING;
        boolean allowed = switch (scmState) {
            case 0 -> s.currentState() == SERVICE_START_PENDING || s.currentState() == SERVICE_STOPPED;
            case SERVICE_START_PENDING -> s.currentState() != SERVICE_START_PENDING || s.checkPoint() > scmCheckPoint;
            case SERVICE_RUNNING -> s.currentState() == SERVICE_STOP_PENDING || s.currentState() == SERVICE_STOPPED
                    || s.currentState() == SERVICE_RUNNING;
            case SERVICE_STOP_PENDING -> s.currentState() == SERVICE_STOPPED
                    || (s.currentState() == SERVICE_STOP_PENDING && s.checkPoint() > scmCheckPoint);
            default -> false;
        };
        boolean wellFormed = (pending || s.checkPoint() == 0) && (!pending || s.controlsAccepted() == 0)
                && (s.currentState() == SERVICE_STOPPED || s.win32ExitCode() == 0);
        if (!allowed || !wellFormed) {
            throw new Win32CallException("SetServiceStatus", ERROR_INVALID_DATA, "injected by rule: "
                    + ServiceStatusMachine.name(scmState) + " -> " + s + " is not accepted");
        }
        scmState = s.currentState();
        scmCheckPoint = s.checkPoint();
        statuses.add(s);
        notifyAll();
    }

    /** ControlService from the SCM's side: delivered only when the last status accepts it. */
    void sendControl(int control) {
        ServiceStatus last;
        synchronized (this) {
            last = statuses.isEmpty() ? null : statuses.get(statuses.size() - 1);
        }
        int acceptBit = control == SERVICE_CONTROL_STOP ? SERVICE_ACCEPT_STOP
                : control == SERVICE_CONTROL_SHUTDOWN ? SERVICE_ACCEPT_SHUTDOWN : 0;
        if (acceptBit != 0 && (last == null || (last.controlsAccepted() & acceptBit) == 0)) {
            throw new Win32CallException("ControlService", ERROR_SERVICE_CANNOT_ACCEPT_CTRL, "not accepted now");
        }
        handler.control(control);
    }

    synchronized void awaitState(int state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (scmState != state && System.currentTimeMillis() < deadline) {
            wait(50);
        }
    }

    // Pipes

    @Override
    public Handle createNamedPipe(String name, String sddl, PipeDirection direction, boolean firstInstance,
            int maxInstances) {
        Handle h = world.create(self, name, sddl, direction, firstInstance, maxInstances);
        adopt(h, "pipe " + name);
        return h;
    }

    @Override
    public boolean connectNamedPipe(Handle pipe, boolean wait) {
        return world.connected(pipe, wait);
    }

    @Override
    public void disconnectNamedPipe(Handle pipe) {
        // The instance is closed right after; nothing to model.
    }

    @Override
    public int peekAvailable(Handle pipe) {
        return world.peek(pipe);
    }

    @Override
    public int namedPipeClientProcessId(Handle pipe) {
        return world.clientPid(pipe);
    }

    @Override
    public Sid pipeClientUser(Handle pipe) {
        return world.impersonate(pipe);
    }

    @Override
    public Sid processUser(int processId) {
        return world.process(processId).user();
    }

    @Override
    public int read(Handle handle, byte[] buffer, int offset, int length) {
        return world.isPipe(handle) ? world.read(handle, buffer, offset, length) : super.read(handle, buffer, offset, length);
    }

    @Override
    public void write(Handle handle, byte[] buffer, int offset, int length) {
        if (world.isPipe(handle)) {
            world.write(handle, buffer, offset, length);
        } else {
            super.write(handle, buffer, offset, length);
        }
    }

    @Override
    public void closeHandle(Handle handle) {
        boolean pipe = world.isPipe(handle);
        super.closeHandle(handle);
        if (pipe) {
            world.close(handle);
        }
        childDiedIfKilled();
    }

    // Logon

    @Override
    public Handle logonS4U(String userName) {
        Sid account = world.accounts.get(userName.toLowerCase(java.util.Locale.ROOT));
        if (account == null) {
            throw new Win32CallException("LsaLogonUser", ERROR_NO_SUCH_USER, "no account " + userName);
        }
        Handle token = new Handle(0x70000 + world.accounts.size() * 4L + statuses.size() * 64L + tokenFacts.size() * 8L);
        adopt(token, "S4U token of " + userName);
        int session = s4uSessionOverride != null ? s4uSessionOverride : self.session();
        tokenFacts.put(token, new TokenFacts(account, session, !holdsTcb));
        return token;
    }

    @Override
    public int tokenSessionId(Handle token) {
        return Optional.ofNullable(tokenFacts.get(token)).map(TokenFacts::session).orElse(self.session());
    }

    // LPAC

    @Override
    public void setLessPrivilegedAppContainer(AttributeList list) {
        lpacRequested = true;
    }

    @Override
    public CreatedProcess createProcess(Optional<Handle> token, String application, String commandLine, int flags,
            String environmentBlock, String currentDirectory, Startup startup) {
        CreatedProcess created = super.createProcess(token, application, commandLine, flags, environmentBlock,
                currentDirectory, startup);
        lpacChildren.put(created.process(), lpacRequested && securityCapabilitiesSid != null);
        lpacRequested = false;
        Sid user = users.getOrDefault(created.process(), self.user());
        world.processes.put(childPid, new FakePipeWorld.Proc(childPid, user, sessions.get(created.process()), false));
        for (Handle h : handleList) {
            if (world.isPipe(h)) {
                world.inherit(h, childPid);
            }
        }
        return created;
    }

    @Override
    public boolean tokenIsLessPrivilegedAppContainer(Handle token) {
        return createdProcess != null && lpacChildren.getOrDefault(createdProcess, false);
    }

    @Override
    public void setProtectedSecurity(String path, String sddl) {
        protectedPaths.add(path + " " + sddl);
    }

    // The child's life

    @Override
    public void terminateProcess(Handle process, int exitCode) {
        super.terminateProcess(process, exitCode);
        childDiedIfKilled();
    }

    @Override
    public void terminateJob(Handle job, int exitCode) {
        super.terminateJob(job, exitCode);
        childDiedIfKilled();
    }

    @Override
    public boolean waitFor(Handle object, long millis) {
        if (super.waitFor(object, millis)) {
            return true;
        }
        try {
            Thread.sleep(Math.min(millis, 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The server exits by itself with {@code code}. */
    void childExits(int code) {
        exitCodes.put(createdProcess, code);
        world.died(childPid);
    }

    private void childDiedIfKilled() {
        if (createdProcess != null && isDead(createdProcess)) {
            world.died(childPid);
        }
    }
}
