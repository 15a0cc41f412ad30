package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.account.AgentAccountSetup;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerMessages.Message;
import dev.mcpcontain.platform.windows.broker.BrokerWin32.PipeDirection;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller on the broker's control pipe, from its request to its server's end: read the request, authenticate
 * the caller, find its agent account, make the three per-run pipes for that caller only, check that the caller
 * itself opened them, start the server ({@link BrokerLaunch}), then wait for whichever comes first: the server's
 * exit (its code goes back to the caller) or the control pipe breaking (the caller closed or died: the job is
 * closed, which kills the whole tree).
 */
public final class BrokerSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerSession.class);
    static final int KILLED = 137;

    private final BrokerWin32 win32;
    private final Win32.Handle control;
    private final BrokerRegistrations registrations;
    private final String uniqueSuffix;

    public BrokerSession(BrokerWin32 win32, Win32.Handle control, BrokerRegistrations registrations) {
        this(win32, control, registrations, newSuffix());
    }

    BrokerSession(BrokerWin32 win32, Win32.Handle control, BrokerRegistrations registrations, String uniqueSuffix) {
        this.win32 = win32;
        this.control = control;
        this.registrations = registrations;
        this.uniqueSuffix = uniqueSuffix;
    }

    static String newSuffix() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** The per-run pipe names: unguessable, so nobody can wait for them, and created first-instance anyway. */
    public static String runPipeName(String uniqueSuffix, String stream) {
        return "\\\\.\\pipe\\mcp-contain-run-" + uniqueSuffix + "-" + stream;
    }

    @Override
    public void run() {
        List<Win32.Handle> runPipes = new ArrayList<>();
        BrokerLaunch.Launched launched = null;
        try {
            Optional<Message> first = BrokerMessages.read(win32, control);
            if (first.isEmpty()) {
                return;
            }
            if (!first.get().is("run")) {
                throw new BrokerRefusal("expected a run request, got '" + first.get().type() + "'");
            }
            CallerCheck.Caller caller = CallerCheck.authenticate(win32, control, first.get().user());
            BrokerRegistrations.Registration agent = registrations.forUser(caller.user()).orElseThrow(() ->
                    new BrokerRefusal("no agent account is registered for " + caller.user() + ": run 'mcp-contain"
                            + " setup' from an elevated prompt of your own account"));
            if (!AgentAccountSetup.isAccountOf(agent.agentUserName(), caller.user())) {
                throw new BrokerRefusal("the registered agent account " + agent.agentUserName() + " was not made for "
                        + caller.user() + "; run 'mcp-contain setup' elevated again");
            }
            BrokerLaunch.check(first.get().run());

            String sddl = Sddl.runPipe(caller.user());
            String[] streams = {"stdin", "stdout", "stderr"};
            // stdin is duplex, not inbound: the broker switches each pipe to PIPE_NOWAIT and back to check its client,
            // and SetNamedPipeHandleState needs write access on the server's handle, which an inbound pipe's lacks.
            PipeDirection[] directions = {PipeDirection.DUPLEX, PipeDirection.OUTBOUND, PipeDirection.OUTBOUND};
            for (int i = 0; i < 3; i++) {
                runPipes.add(win32.createNamedPipe(runPipeName(uniqueSuffix, streams[i]), sddl, directions[i], true, 1));
            }
            BrokerMessages.write(win32, control, Message.pipes(runPipeName(uniqueSuffix, "stdin"),
                    runPipeName(uniqueSuffix, "stdout"), runPipeName(uniqueSuffix, "stderr")));
            Optional<Message> opened = BrokerMessages.read(win32, control);
            if (opened.isEmpty()) {
                return;
            }
            if (!opened.get().is("opened")) {
                throw new BrokerRefusal("expected 'opened', got '" + opened.get().type() + "'");
            }
            for (int i = 0; i < 3; i++) {
                CallerCheck.requireSameClient(win32, runPipes.get(i), caller, streams[i]);
            }
            launched = new BrokerLaunch(win32).start(first.get().run(), Sid.parse(agent.agentSid()),
                    agent.agentUserName(), runPipes, uniqueSuffix);
            // The server holds the pipes now; the broker's copies would keep them open after it exits.
            runPipes.forEach(this::closeQuietly);
            runPipes.clear();
            LOG.info("started {} for {} as {} (process {})", first.get().run().serverId(), caller.user(),
                    agent.agentUserName(), launched.processId());
            BrokerMessages.write(win32, control, Message.started(launched.processId()));
            watch(launched);
        } catch (BrokerRefusal e) {
            LOG.warn("refused: {}", e.getMessage());
            try {
                BrokerMessages.write(win32, control, Message.refused(e.getMessage()));
            } catch (IOException | Win32CallException ignored) {
                // The caller is gone.
            }
        } catch (IOException | Win32CallException e) {
            LOG.warn("broker session ended: {}", e.getMessage());
        } finally {
            runPipes.forEach(this::closeQuietly);
            if (launched != null) {
                end(launched);
            }
            try {
                win32.disconnectNamedPipe(control);
            } catch (Win32CallException ignored) {
                // Closing below is enough.
            }
            closeQuietly(control);
        }
    }

    /**
     * Until the server exits or the caller goes. The control pipe is polled (PeekNamedPipe), never read by a blocked
     * thread: a pending synchronous ReadFile would hold up the write of the exit code on the same handle.
     */
    private void watch(BrokerLaunch.Launched launched) throws IOException {
        while (true) {
            boolean callerGone = callerGone();
            if (!callerGone && win32.waitFor(launched.process(), 200)) {
                BrokerMessages.write(win32, control, Message.exited(win32.exitCode(launched.process())));
                return;
            }
            if (callerGone) {
                LOG.info("the caller of process {} went away: closing its job", launched.processId());
                win32.terminateJob(launched.job(), KILLED);
                return;
            }
        }
    }

    /** The caller closed the control pipe (or died); anything it sends after 'opened' is read and ignored. */
    private boolean callerGone() {
        try {
            int available = win32.peekAvailable(control);
            if (available > 0) {
                win32.read(control, new byte[Math.min(available, 4096)], 0, Math.min(available, 4096));
            }
            return available < 0;
        } catch (Win32CallException e) {
            return true;
        }
    }

    /** Closing the job kills whatever of the tree is left (kill-on-close). */
    private void end(BrokerLaunch.Launched launched) {
        launched.held().forEach(this::closeQuietly);
        closeQuietly(launched.process());
        closeQuietly(launched.job());
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do.
        }
    }
}
