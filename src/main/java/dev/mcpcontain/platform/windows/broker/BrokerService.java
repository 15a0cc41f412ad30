package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.launch.PlatformClasses;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mcp-contain-broker} Windows service: its own process, LocalSystem, demand start (the user-side launcher
 * starts it). {@link #main} hands the main thread to the service control dispatcher; the service then reports
 * START_PENDING, opens its control pipe, reports RUNNING, serves until the SCM sends stop or shutdown, and reports
 * STOP_PENDING and STOPPED. A control pipe it cannot create (the name is taken) ends it with that error.
 */
public final class BrokerService {

    /** Not a static field: the logger is made after {@link #main} has pointed slf4j-simple at the service's log file. */
    private static Logger log() {
        return LoggerFactory.getLogger(BrokerService.class);
    }

    private final BrokerWin32 win32;
    private final BrokerRegistrations registrations;
    private final Runnable wakeAcceptLoop;
    private final ServiceStatusMachine status = new ServiceStatusMachine();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile Win32.Handle statusHandle;

    public BrokerService(BrokerWin32 win32, BrokerRegistrations registrations, Runnable wakeAcceptLoop) {
        this.win32 = win32;
        this.registrations = registrations;
        this.wakeAcceptLoop = wakeAcceptLoop;
    }

    public static void main(String[] args) {
        String programData = System.getenv().getOrDefault("ProgramData", "C:\\ProgramData");
        java.nio.file.Path directory = BrokerRegistrations.directory(programData);
        // A service has no console: its log goes to its own protected folder.
        System.setProperty("org.slf4j.simpleLogger.logFile", directory.resolve("broker.log").toString());
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        BrokerWin32 win32 = PlatformClasses.create(PlatformClasses.WINDOWS_BROKER_BINDINGS, BrokerWin32.class);
        BrokerClientWin32 client = PlatformClasses.create(PlatformClasses.WINDOWS_BROKER_CLIENT, BrokerClientWin32.class);
        BrokerRegistrations registrations = BrokerRegistrations.in(directory);
        new BrokerService(win32, registrations, () -> wake(client)).dispatch();
    }

    /** Connects to our own control pipe once, so that a ConnectNamedPipe waiting for a caller returns. */
    private static void wake(BrokerClientWin32 client) {
        try {
            client.closeHandle(client.openPipe(BrokerMessages.CONTROL_PIPE, true, true, 1000));
        } catch (Win32CallException e) {
            // The accept loop is not waiting.
        }
    }

    /** Runs the service under the dispatcher; returns once it has reported STOPPED. */
    public void dispatch() {
        win32.runServiceDispatcher(BrokerMessages.SERVICE_NAME, this::control, this::serviceMain);
    }

    void control(int control) {
        switch (control) {
            case BrokerWin32.SERVICE_CONTROL_STOP, BrokerWin32.SERVICE_CONTROL_SHUTDOWN -> stopRequested.countDown();
            case BrokerWin32.SERVICE_CONTROL_INTERROGATE -> {
                if (statusHandle != null) {
                    win32.setServiceStatus(statusHandle, status.current());
                }
            }
            default -> {
                // Not accepted: the SCM does not send others.
            }
        }
    }

    void serviceMain(Win32.Handle handle) {
        statusHandle = handle;
        win32.setServiceStatus(handle, status.startPending());
        BrokerServer server = new BrokerServer(win32, registrations);
        Win32.Handle first;
        try {
            first = server.listen();
        } catch (Win32CallException e) {
            log().error("cannot create the broker's pipe {}: {}", BrokerMessages.CONTROL_PIPE, e.getMessage());
            win32.setServiceStatus(handle, status.stopped(e.code()));
            return;
        }
        Thread acceptLoop = new Thread(() -> server.serve(first), "broker-accept");
        acceptLoop.setDaemon(true);
        acceptLoop.start();
        win32.setServiceStatus(handle, status.running());
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        win32.setServiceStatus(handle, status.stopPending());
        server.stop();
        wakeAcceptLoop.run();
        try {
            acceptLoop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        win32.setServiceStatus(handle, status.stopped(0));
    }

    ServiceStatusMachine status() {
        return status;
    }
}
