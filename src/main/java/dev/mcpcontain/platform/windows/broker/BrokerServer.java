package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.broker.BrokerWin32.PipeDirection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's control pipe: the first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE (so the broker fails
 * rather than share the name with whoever created it first), each connected instance goes to its own
 * {@link BrokerSession}, and a fresh instance waits for the next caller.
 */
public final class BrokerServer {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    static final int MAX_INSTANCES = 255;

    private final BrokerWin32 win32;
    private final BrokerRegistrations registrations;
    private final ExecutorService sessions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "broker-session");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    public BrokerServer(BrokerWin32 win32, BrokerRegistrations registrations) {
        this.win32 = win32;
        this.registrations = registrations;
    }

    /** Creates the first instance; throws if the name is taken. Call before reporting RUNNING. */
    public Win32.Handle listen() {
        return win32.createNamedPipe(BrokerMessages.CONTROL_PIPE, Sddl.brokerControlPipe(), PipeDirection.DUPLEX, true,
                MAX_INSTANCES);
    }

    /** Serves callers until {@link #stop}; {@code first} is the instance {@link #listen} made. */
    public void serve(Win32.Handle first) {
        Win32.Handle instance = first;
        while (!stopping) {
            try {
                win32.connectNamedPipe(instance, true);
            } catch (Win32CallException e) {
                LOG.warn("ConnectNamedPipe failed: {}", e.getMessage());
                closeQuietly(instance);
                instance = null;
            }
            if (stopping) {
                break;
            }
            Win32.Handle next = win32.createNamedPipe(BrokerMessages.CONTROL_PIPE, Sddl.brokerControlPipe(),
                    PipeDirection.DUPLEX, false, MAX_INSTANCES);
            if (instance != null) {
                sessions.execute(new BrokerSession(win32, instance, registrations));
            }
            instance = next;
        }
        if (instance != null) {
            closeQuietly(instance);
        }
    }

    /**
     * Stops accepting; running servers keep their sessions until the service process ends, which closes every job
     * handle and so kills every server (kill-on-close).
     */
    public void stop() {
        stopping = true;
        sessions.shutdown();
    }

    private void closeQuietly(Win32.Handle handle) {
        try {
            win32.closeHandle(handle);
        } catch (Win32CallException e) {
            // Nothing more to do.
        }
    }
}
