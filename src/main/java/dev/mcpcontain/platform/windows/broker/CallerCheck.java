package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.Sid;

/**
 * Who is at the other end of a broker pipe. Two independent answers must agree with what the caller says it is:
 * the user of the token the caller's connection carries (impersonation at identification level, after the first
 * read) and the user of the process that opened the pipe (GetNamedPipeClientProcessId). A caller who is not the
 * user it names is refused, and so is one whose answers cannot be read.
 */
public final class CallerCheck {

    /** An authenticated caller: its user and the process that connected. */
    public record Caller(Sid user, int processId) {}

    private CallerCheck() {}

    /** Call only after the request has been read from {@code pipe}: Windows allows impersonation only then. */
    public static Caller authenticate(BrokerWin32 win32, Win32.Handle pipe, String claimedUser) {
        Sid claimed;
        try {
            claimed = Sid.parse(claimedUser == null ? "" : claimedUser);
        } catch (IllegalArgumentException e) {
            throw new BrokerRefusal("the request names no valid user SID");
        }
        Sid impersonated;
        int processId;
        Sid processUser;
        try {
            impersonated = win32.pipeClientUser(pipe);
            processId = win32.namedPipeClientProcessId(pipe);
            processUser = win32.processUser(processId);
        } catch (Win32CallException e) {
            throw new BrokerRefusal("the broker cannot tell who you are (" + e.getMessage() + ")");
        }
        if (!impersonated.equals(claimed) || !processUser.equals(claimed)) {
            throw new BrokerRefusal("the request says it comes from " + claimed + " but the pipe's client is "
                    + impersonated + " (process " + processId + " of " + processUser + "); refused");
        }
        return new Caller(claimed, processId);
    }

    /** A per-run pipe must be held by the process that made the request, nobody else. */
    public static void requireSameClient(BrokerWin32 win32, Win32.Handle pipe, Caller caller, String which) {
        if (!win32.connectNamedPipe(pipe, false)) {
            throw new BrokerRefusal("the " + which + " pipe was not opened");
        }
        int pid;
        try {
            pid = win32.namedPipeClientProcessId(pipe);
        } catch (Win32CallException e) {
            throw new BrokerRefusal("the broker cannot tell who opened the " + which + " pipe (" + e.getMessage() + ")");
        }
        if (pid != caller.processId()) {
            throw new BrokerRefusal("the " + which + " pipe was opened by process " + pid + ", not by the caller "
                    + caller.processId() + "; refused");
        }
    }
}
