package dev.mcpcontain.platform.windows.broker;

import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_ACCEPT_SHUTDOWN;
import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_ACCEPT_STOP;
import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_RUNNING;
import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_START_PENDING;
import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_STOPPED;
import static dev.mcpcontain.platform.windows.broker.BrokerWin32.SERVICE_STOP_PENDING;

import dev.mcpcontain.platform.windows.broker.BrokerWin32.ServiceStatus;

/**
 * The statuses the broker reports, in the order the service documentation lays down: START_PENDING (check points
 * counting up, no controls accepted), RUNNING (stop and shutdown accepted), STOP_PENDING, STOPPED (an exit code
 * only here, and nothing after it). A step out of that order is a bug in the broker and throws here, before the
 * SCM sees it.
 */
public final class ServiceStatusMachine {

    static final int START_WAIT_HINT_MS = 10_000;
    static final int STOP_WAIT_HINT_MS = 15_000;

    private int state = 0;
    private int checkPoint;

    public synchronized int state() {
        return state;
    }

    public synchronized ServiceStatus startPending() {
        require(state == 0 || state == SERVICE_START_PENDING, "START_PENDING");
        checkPoint = state == 0 ? 1 : checkPoint + 1;
        state = SERVICE_START_PENDING;
        return new ServiceStatus(state, 0, 0, checkPoint, START_WAIT_HINT_MS);
    }

    public synchronized ServiceStatus running() {
        require(state == SERVICE_START_PENDING, "RUNNING");
        state = SERVICE_RUNNING;
        checkPoint = 0;
        return new ServiceStatus(state, SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, 0, 0, 0);
    }

    public synchronized ServiceStatus stopPending() {
        require(state == SERVICE_RUNNING || state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING,
                "STOP_PENDING");
        checkPoint = state == SERVICE_STOP_PENDING ? checkPoint + 1 : 1;
        state = SERVICE_STOP_PENDING;
        return new ServiceStatus(state, 0, 0, checkPoint, STOP_WAIT_HINT_MS);
    }

    /** @param exitCode 0, or the Win32 error that ended the service */
    public synchronized ServiceStatus stopped(int exitCode) {
        require(state != SERVICE_STOPPED, "STOPPED");
        state = SERVICE_STOPPED;
        checkPoint = 0;
        return new ServiceStatus(state, 0, exitCode, 0, 0);
    }

    /** The status to answer SERVICE_CONTROL_INTERROGATE with: the current one, unchanged. */
    public synchronized ServiceStatus current() {
        boolean pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
        int accepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
        int hint = state == SERVICE_START_PENDING ? START_WAIT_HINT_MS : state == SERVICE_STOP_PENDING ? STOP_WAIT_HINT_MS : 0;
        return new ServiceStatus(state, accepted, 0, pending ? checkPoint : 0, hint);
    }

    private void require(boolean allowed, String to) {
        if (!allowed) {
            throw new IllegalStateException("service status " + name(state) + " -> " + to + " is not a transition"
                    + " the service control manager accepts");
        }
    }

    static String name(int state) {
        return switch (state) {
            case 0 -> "(none)";
            case SERVICE_STOPPED -> "STOPPED";
            case SERVICE_START_PENDING -> "START_PENDING";
            case SERVICE_STOP_PENDING -> "STOP_PENDING";
            case SERVICE_RUNNING -> "RUNNING";
            default -> "state " + state;
        };
    }
}
