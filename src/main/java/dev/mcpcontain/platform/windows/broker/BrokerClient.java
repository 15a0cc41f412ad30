package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerMessages.Message;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import dev.mcpcontain.platform.windows.plan.WindowsLaunchPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The launcher's side of the broker: starts the service if it is stopped, checks that the control pipe belongs to
 * LocalSystem (not to someone who took the name first), sends the run, opens the three per-run pipes, and returns
 * the server as a {@link BrokerProcess}. Folder grants are made before this, by the launcher, as the user: the
 * broker never changes an ACL.
 */
public final class BrokerClient {

    static final long PIPE_WAIT_MS = 10_000;

    private final BrokerClientWin32 win32;

    public BrokerClient(BrokerClientWin32 win32) {
        this.win32 = win32;
    }

    /** What the broker receives: the decided command, limits and identity name; never an account. */
    public static BrokerMessages.Run runOf(WindowsLaunchPlan plan) {
        WindowsLaunchPlan.AppContainer ac = plan.appContainer().orElseThrow(
                () -> new IllegalArgumentException("the broker runs AppContainer plans only"));
        JobLimits job = plan.job();
        return new BrokerMessages.Run(plan.policy().serverId(), plan.application(), plan.commandLine(),
                plan.environmentBlock(), plan.currentDirectory(), job.limitFlags(), job.activeProcessLimit(),
                job.jobMemoryLimit(), job.perProcessUserTimeLimit(), job.cpuRate().orElse(0), ac.name(),
                ac.capabilities());
    }

    /**
     * @param inheritStdio the production path: this launcher's own stdin, stdout and stderr are relayed to the
     *                     server's pipes; otherwise the returned process exposes the pipes as streams
     */
    public BrokerProcess start(WindowsLaunchPlan plan, boolean inheritStdio) {
        return start(plan, inheritStdio, () -> { });
    }

    /** @param onEnd runs once the server's end is known (its exit code arrived, or the broker went) */
    public BrokerProcess start(WindowsLaunchPlan plan, boolean inheritStdio, Runnable onEnd) {
        Win32.Handle control = null;
        List<Win32.Handle> pipes = new ArrayList<>();
        try {
            try {
                win32.startService(BrokerMessages.SERVICE_NAME);
            } catch (Win32CallException e) {
                throw new ContainmentException(Reason.UNENFORCEABLE, "the agent account runs servers through the"
                        + " mcp-contain-broker service, which cannot be started (" + e.getMessage() + "); run"
                        + " 'mcp-contain setup' from an elevated prompt to install it");
            }
            control = win32.openPipe(BrokerMessages.CONTROL_PIPE, true, true, PIPE_WAIT_MS);
            int brokerPid = win32.namedPipeServerProcessId(control);
            Sid owner = win32.pipeOwner(control);
            if (!owner.equals(Sid.LOCAL_SYSTEM)) {
                throw new ContainmentException(Reason.VERIFICATION_FAILED, BrokerMessages.CONTROL_PIPE + " is owned by "
                        + owner + ", not LocalSystem: something else holds the broker's pipe name. Nothing was sent to it");
            }
            BrokerMessages.write(win32, control, Message.run(win32.currentUser().toString(), runOf(plan)));
            Message answer = expect(control, "pipes");
            String[] names = {answer.stdin(), answer.stdout(), answer.stderr()};
            boolean[] writes = {true, false, false};
            for (int i = 0; i < 3; i++) {
                if (names[i] == null || !names[i].startsWith("\\\\.\\pipe\\mcp-contain-run-")) {
                    throw new ContainmentException(Reason.LAUNCH_FAILED, "the broker named no valid pipe");
                }
                Win32.Handle pipe = win32.openPipe(names[i], !writes[i], writes[i], PIPE_WAIT_MS);
                pipes.add(pipe);
                if (win32.namedPipeServerProcessId(pipe) != brokerPid || !win32.pipeOwner(pipe).equals(Sid.LOCAL_SYSTEM)) {
                    throw new ContainmentException(Reason.VERIFICATION_FAILED, names[i] + " is not the broker's pipe");
                }
            }
            BrokerMessages.write(win32, control, Message.opened());
            Message started = expect(control, "started");
            BrokerProcess process = new BrokerProcess(win32, control, pipes.get(0), pipes.get(1), pipes.get(2),
                    started.pid() == null ? -1 : started.pid(), inheritStdio, onEnd);
            control = null;
            pipes.clear();
            return process;
        } catch (Win32CallException | IOException e) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "the broker did not start the server: "
                    + e.getMessage(), e);
        } finally {
            // Closing the control pipe is how the broker learns to give up (and kill what it started).
            for (Win32.Handle h : pipes) {
                closeQuietly(h);
            }
            if (control != null) {
                closeQuietly(control);
            }
        }
    }

    private Message expect(Win32.Handle control, String type) throws IOException {
        Optional<Message> message = BrokerMessages.read(win32, control);
        if (message.isEmpty()) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "the broker closed the connection");
        }
        if (message.get().is("refused")) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "the broker refused: " + message.get().message());
        }
        if (!message.get().is(type)) {
            throw new ContainmentException(Reason.LAUNCH_FAILED, "the broker answered '" + message.get().type()
                    + "', expected '" + type + "'");
        }
        return message.get();
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do.
        }
    }
}
