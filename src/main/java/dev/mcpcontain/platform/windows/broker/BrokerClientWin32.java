package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.HandleIo;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sid;

/** The calls the user-side launcher makes to reach the broker; {@code jna.JnaBrokerClient} on Windows. */
public interface BrokerClientWin32 extends HandleIo {

    /**
     * OpenSCManagerW(SC_MANAGER_CONNECT), OpenServiceW(SERVICE_START | SERVICE_QUERY_STATUS), StartServiceW; a
     * service already running is not an error. Fails with ERROR_SERVICE_DOES_NOT_EXIST when setup has not installed it.
     */
    void startService(String name);

    /**
     * WaitNamedPipeW, then CreateFileW with SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION: the broker may learn who
     * the caller is, never act as the caller.
     */
    Win32.Handle openPipe(String name, boolean read, boolean write, long waitMillis);

    /** PeekNamedPipe: bytes waiting, or -1 once the other end has closed; never blocks (see BrokerWin32). */
    int peekAvailable(Win32.Handle pipe);

    /**
     * GetSecurityInfo(OWNER_SECURITY_INFORMATION) on the pipe handle. A user cannot create an object owned by
     * LocalSystem, so an owner of LocalSystem shows the pipe is the broker's; it needs no right on the broker's
     * process, which a standard user does not have.
     */
    Sid pipeOwner(Win32.Handle pipe);

    /** GetNamedPipeServerProcessId. */
    int namedPipeServerProcessId(Win32.Handle pipe);

    Sid currentUser();

    int currentProcessId();

    /** GetStdHandle: this launcher's own stdio, for the production (inherited) stdio path. */
    Win32.Handle stdHandle(int which);
}
