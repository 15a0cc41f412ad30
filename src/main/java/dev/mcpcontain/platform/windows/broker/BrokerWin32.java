package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sid;

/**
 * The Windows calls the broker service makes on top of a launch's: the service control manager, the service's own
 * status, named pipes and who is at their other end, and the agent's logon. {@code jna.JnaBrokerWin32} on Windows; the
 * tests run the broker against a fake that models the rules these calls obey.
 */
public interface BrokerWin32 extends Win32 {

    /** Which way bytes go on a named pipe, seen from the server end (PIPE_ACCESS_INBOUND: the server reads). */
    enum PipeDirection { INBOUND, OUTBOUND, DUPLEX }

    /** SERVICE_STATUS as this service reports it (SERVICE_WIN32_OWN_PROCESS). */
    record ServiceStatus(int currentState, int controlsAccepted, int win32ExitCode, int checkPoint, int waitHint) {}

    int SERVICE_STOPPED = 1;
    int SERVICE_START_PENDING = 2;
    int SERVICE_STOP_PENDING = 3;
    int SERVICE_RUNNING = 4;
    int SERVICE_ACCEPT_STOP = 0x1;
    int SERVICE_ACCEPT_SHUTDOWN = 0x4;
    int SERVICE_CONTROL_STOP = 0x1;
    int SERVICE_CONTROL_INTERROGATE = 0x4;
    int SERVICE_CONTROL_SHUTDOWN = 0x5;

    /** The well-known LUID of SeTcbPrivilege (act as part of the operating system), which LocalSystem holds. */
    long SE_TCB_PRIVILEGE = 7;

    // The service control manager (setup)

    /**
     * CreateServiceW: SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, runs as LocalSystem; then
     * SetServiceObjectSecurity with the DACL of {@code sddl} (who may start, stop and query it). An existing service of
     * that name is reconfigured (ChangeServiceConfigW) rather than refused.
     */
    void installService(String name, String displayName, String binaryPath, String sddl);

    /** DeleteService; false when there is no such service. A running service is stopped first. */
    boolean deleteService(String name);

    // The service process

    /** Called on the dispatcher's thread with the status handle of the service; returning ends the service. */
    @FunctionalInterface
    interface ServiceMain {
        void run(Handle status);
    }

    /** Called for each control the SCM sends (SERVICE_CONTROL_*); it must return at once. */
    @FunctionalInterface
    interface ControlHandler {
        void control(int control);
    }

    /**
     * StartServiceCtrlDispatcherW from the calling thread, which must be the process's main thread; the dispatcher
     * calls {@code main} (after RegisterServiceCtrlHandlerExW with {@code handler}) and returns when the service has
     * reported SERVICE_STOPPED.
     */
    void runServiceDispatcher(String name, ControlHandler handler, ServiceMain main);

    /** SetServiceStatus; the SCM refuses transitions it does not accept (ERROR_INVALID_DATA). */
    void setServiceStatus(Handle status, ServiceStatus serviceStatus);

    // Named pipes (server end)

    /**
     * CreateNamedPipeW in byte mode with PIPE_WAIT and PIPE_REJECT_REMOTE_CLIENTS, the DACL of {@code sddl}, and
     * FILE_FLAG_FIRST_PIPE_INSTANCE when {@code firstInstance} (creation then fails if any instance of that name
     * exists: nobody else holds the name). The handle is not inheritable.
     */
    Handle createNamedPipe(String name, String sddl, PipeDirection direction, boolean firstInstance, int maxInstances);

    /**
     * ConnectNamedPipe. With {@code wait}, until a client connects; without, it only reports whether one already has
     * (the pipe is switched to PIPE_NOWAIT for the call). A client that connected before the call counts as
     * connected (ERROR_PIPE_CONNECTED).
     */
    boolean connectNamedPipe(Handle pipe, boolean wait);

    void disconnectNamedPipe(Handle pipe);

    /**
     * PeekNamedPipe: how many bytes wait to be read, or -1 once the other end has closed (ERROR_BROKEN_PIPE). It never
     * blocks, which matters: synchronous I/O on one pipe handle is serialized, so a thread blocked in ReadFile would
     * hold up every WriteFile on that handle, and CloseHandle does not cancel it.
     */
    int peekAvailable(Handle pipe);

    /** GetNamedPipeClientProcessId: the process that opened the client end. */
    int namedPipeClientProcessId(Handle pipe);

    /**
     * ImpersonateNamedPipeClient, OpenThreadToken (as self), the token's user, RevertToSelf. Windows allows the
     * impersonation only after the server has read from the pipe.
     */
    Sid pipeClientUser(Handle pipe);

    /** OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION), OpenProcessToken, the token's user. */
    Sid processUser(int processId);

    // The agent's token

    /**
     * LsaRegisterLogonProcess, LsaLookupAuthenticationPackage(MSV1_0), LsaLogonUser with an MSV1_0_S4U_LOGON for the
     * local account {@code userName}, logon type Batch: a primary token of that account without its password. Only a
     * caller with SeTcbPrivilege gets a token that can start a process; anyone else gets an identification token.
     * The token's session is the caller's (0 for a service).
     */
    Handle logonS4U(String userName);

    /** GetTokenInformation(TokenSessionId). */
    int tokenSessionId(Handle token);

    // Less-privileged AppContainer

    /**
     * PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY = PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT: the
     * AppContainer child is a less-privileged one (LPAC), for which entries naming ALL APPLICATION PACKAGES do not
     * count.
     */
    void setLessPrivilegedAppContainer(AttributeList list);

    /** GetTokenInformation(TokenIsLessPrivilegedAppContainer). */
    boolean tokenIsLessPrivilegedAppContainer(Handle token);

    /**
     * SetNamedSecurityInfoW with OWNER, DACL and PROTECTED_DACL from {@code sddl}: the broker's files then carry no
     * entry inherited from the folders above them (ProgramData lets every user create folders).
     */
    void setProtectedSecurity(String path, String sddl);
}
