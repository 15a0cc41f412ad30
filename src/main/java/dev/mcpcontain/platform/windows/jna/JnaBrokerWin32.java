package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerWin32;
import java.nio.charset.StandardCharsets;

/**
 * {@link BrokerWin32} through JNA: the launch calls of {@link JnaWin32} plus the service control manager, the
 * service's status, named pipes, pipe-client identity and the S4U logon. Runs in the broker service (LocalSystem)
 * and in {@code mcp-contain setup} (elevated).
 */
public final class JnaBrokerWin32 extends JnaWin32 implements BrokerWin32 {

    private static final int SC_MANAGER_CONNECT = 0x1;
    private static final int SC_MANAGER_CREATE_SERVICE = 0x2;
    private static final int SERVICE_ALL_ACCESS = 0xF01FF;
    private static final int SERVICE_QUERY_STATUS = 0x4;
    private static final int SERVICE_STOP = 0x20;
    private static final int DELETE = 0x10000;
    private static final int SERVICE_WIN32_OWN_PROCESS = 0x10;
    private static final int SERVICE_DEMAND_START = 3;
    private static final int SERVICE_ERROR_NORMAL = 1;
    private static final int SERVICE_NO_CHANGE = 0xFFFFFFFF;
    private static final int ERROR_SERVICE_EXISTS = 1073;
    private static final int ERROR_SERVICE_DOES_NOT_EXIST = 1060;
    private static final int ERROR_PIPE_CONNECTED = 535;
    private static final int DACL_SECURITY_INFORMATION = 0x4;
    private static final int OWNER_SECURITY_INFORMATION = 0x1;
    private static final int PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
    private static final int SE_FILE_OBJECT = 1;
    private static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    private static final int PIPE_ACCESS_INBOUND = 0x1;
    private static final int PIPE_ACCESS_OUTBOUND = 0x2;
    private static final int PIPE_ACCESS_DUPLEX = 0x3;
    private static final int PIPE_WAIT = 0x0;
    private static final int PIPE_NOWAIT = 0x1;
    private static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    private static final int PIPE_BUFFER = 64 * 1024;
    private static final int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    private static final int TOKEN_SESSION_ID = 12;
    /** TOKEN_INFORMATION_CLASS TokenIsLessPrivilegedAppContainer (Windows SDK winnt.h; mingw's enum stops at 40). */
    private static final int TOKEN_IS_LESS_PRIVILEGED_APP_CONTAINER = 46;
    private static final long PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY = 0x2000F;
    private static final int PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT = 0x1;
    private static final int LOGON32_LOGON_BATCH = 4;
    private static final String MSV1_0_PACKAGE_NAME = "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0";

    private final BrokerLibraries.Kernel32Pipes pipes = BrokerLibraries.Kernel32Pipes.INSTANCE;
    private final BrokerLibraries.Advapi32Service service = BrokerLibraries.Advapi32Service.INSTANCE;
    private final BrokerLibraries.Secur32 secur32 = BrokerLibraries.Secur32.INSTANCE;

    /** The dispatcher's table and callbacks: reachable for as long as StartServiceCtrlDispatcherW runs. */
    private Object[] dispatcherKeepAlive;

    // The service control manager

    @Override
    public void installService(String name, String displayName, String binaryPath, String sddl) {
        Pointer scm = service.OpenSCManagerW(null, null, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
        check(scm != null, "OpenSCManagerW");
        try {
            Pointer svc = service.CreateServiceW(scm, new WString(name), new WString(displayName), SERVICE_ALL_ACCESS,
                    SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, new WString(binaryPath), null,
                    null, null, null, null);
            if (svc == null) {
                int error = Native.getLastError();
                if (error != ERROR_SERVICE_EXISTS) {
                    throw failure("CreateServiceW", error);
                }
                svc = service.OpenServiceW(scm, new WString(name), SERVICE_ALL_ACCESS);
                check(svc != null, "OpenServiceW");
                check(service.ChangeServiceConfigW(svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                        SERVICE_ERROR_NORMAL, new WString(binaryPath), null, null, null, new WString("LocalSystem"),
                        null, new WString(displayName)), "ChangeServiceConfigW");
            }
            try {
                PointerByReference descriptor = new PointerByReference();
                check(advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl), 1, descriptor,
                        null), "ConvertStringSecurityDescriptorToSecurityDescriptorW");
                try {
                    check(service.SetServiceObjectSecurity(svc, DACL_SECURITY_INFORMATION, descriptor.getValue()),
                            "SetServiceObjectSecurity");
                } finally {
                    kernel32.LocalFree(descriptor.getValue());
                }
            } finally {
                service.CloseServiceHandle(svc);
            }
        } finally {
            service.CloseServiceHandle(scm);
        }
    }

    @Override
    public boolean deleteService(String name) {
        Pointer scm = service.OpenSCManagerW(null, null, SC_MANAGER_CONNECT);
        check(scm != null, "OpenSCManagerW");
        try {
            Pointer svc = service.OpenServiceW(scm, new WString(name), SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
            if (svc == null) {
                int error = Native.getLastError();
                if (error == ERROR_SERVICE_DOES_NOT_EXIST) {
                    return false;
                }
                throw failure("OpenServiceW", error);
            }
            try {
                // Stopping kills every server it runs (their jobs close with the process); a stopped one refuses.
                service.ControlService(svc, SERVICE_CONTROL_STOP, new BrokerStructs.SERVICE_STATUS());
                check(service.DeleteService(svc), "DeleteService");
                return true;
            } finally {
                service.CloseServiceHandle(svc);
            }
        } finally {
            service.CloseServiceHandle(scm);
        }
    }

    // The service process

    @Override
    public void runServiceDispatcher(String name, ControlHandler handler, ServiceMain main) {
        BrokerStructs.HandlerFunctionEx handlerFunction = (control, eventType, eventData, context) -> {
            handler.control(control);
            return 0;
        };
        BrokerStructs.ServiceMainFunction mainFunction = (argc, argv) -> {
            Pointer status = service.RegisterServiceCtrlHandlerExW(new WString(name), handlerFunction, null);
            if (status == null) {
                return;
            }
            main.run(handle(status));
        };
        Memory serviceName = utf16(name);
        Memory table = new Memory(32);
        table.clear();
        table.setPointer(0, serviceName);
        table.setPointer(8, CallbackReference.getFunctionPointer(mainFunction));
        dispatcherKeepAlive = new Object[] {handlerFunction, mainFunction, serviceName, table};
        try {
            check(service.StartServiceCtrlDispatcherW(table), "StartServiceCtrlDispatcherW");
        } finally {
            dispatcherKeepAlive = null;
        }
    }

    @Override
    public void setServiceStatus(Handle status, ServiceStatus s) {
        var value = new BrokerStructs.SERVICE_STATUS();
        value.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        value.dwCurrentState = s.currentState();
        value.dwControlsAccepted = s.controlsAccepted();
        value.dwWin32ExitCode = s.win32ExitCode();
        value.dwCheckPoint = s.checkPoint();
        value.dwWaitHint = s.waitHint();
        check(service.SetServiceStatus(pointer(status), value), "SetServiceStatus");
    }

    // Named pipes

    @Override
    public Handle createNamedPipe(String name, String sddl, PipeDirection direction, boolean firstInstance,
            int maxInstances) {
        int access = switch (direction) {
            case INBOUND -> PIPE_ACCESS_INBOUND;
            case OUTBOUND -> PIPE_ACCESS_OUTBOUND;
            case DUPLEX -> PIPE_ACCESS_DUPLEX;
        };
        PointerByReference descriptor = new PointerByReference();
        var sa = securityAttributes(sddl, descriptor);
        try {
            Pointer pipe = pipes.CreateNamedPipeW(new WString(name), access | (firstInstance ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                    PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, maxInstances, PIPE_BUFFER, PIPE_BUFFER, 0, sa);
            return checkHandle(pipe, "CreateNamedPipeW");
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    @Override
    public boolean connectNamedPipe(Handle pipe, boolean wait) {
        if (wait) {
            if (!pipes.ConnectNamedPipe(pointer(pipe), null)) {
                int error = Native.getLastError();
                if (error != ERROR_PIPE_CONNECTED) {
                    throw failure("ConnectNamedPipe", error);
                }
            }
            return true;
        }
        check(pipes.SetNamedPipeHandleState(pointer(pipe), new IntByReference(PIPE_NOWAIT), null, null),
                "SetNamedPipeHandleState(PIPE_NOWAIT)");
        boolean ok = pipes.ConnectNamedPipe(pointer(pipe), null);
        int error = ok ? 0 : Native.getLastError();
        check(pipes.SetNamedPipeHandleState(pointer(pipe), new IntByReference(PIPE_WAIT), null, null),
                "SetNamedPipeHandleState(PIPE_WAIT)");
        // In non-blocking mode only ERROR_PIPE_CONNECTED means a client holds the other end now.
        return !ok && error == ERROR_PIPE_CONNECTED;
    }

    @Override
    public void disconnectNamedPipe(Handle pipe) {
        check(pipes.DisconnectNamedPipe(pointer(pipe)), "DisconnectNamedPipe");
    }

    @Override
    public int peekAvailable(Handle pipe) {
        return peek(pipes, pipe);
    }

    static int peek(BrokerLibraries.Kernel32Pipes pipes, Handle pipe) {
        IntByReference available = new IntByReference();
        if (!pipes.PeekNamedPipe(pointer(pipe), null, 0, null, available, null)) {
            int error = Native.getLastError();
            // ERROR_BROKEN_PIPE: the other end closed; ERROR_PIPE_NOT_CONNECTED: disconnected.
            if (error == 109 || error == 233) {
                return -1;
            }
            throw failure("PeekNamedPipe", error);
        }
        return available.getValue();
    }

    @Override
    public int namedPipeClientProcessId(Handle pipe) {
        IntByReference pid = new IntByReference();
        check(pipes.GetNamedPipeClientProcessId(pointer(pipe), pid), "GetNamedPipeClientProcessId");
        return pid.getValue();
    }

    @Override
    public Sid pipeClientUser(Handle pipe) {
        check(service.ImpersonateNamedPipeClient(pointer(pipe)), "ImpersonateNamedPipeClient");
        try {
            PointerByReference token = new PointerByReference();
            // As self: the thread token is only read, with the broker's own right to open it.
            check(service.OpenThreadToken(pipes.GetCurrentThread(), TOKEN_QUERY, true, token), "OpenThreadToken");
            Handle h = handle(token.getValue());
            try {
                return tokenUser(h);
            } finally {
                closeHandle(h);
            }
        } finally {
            if (!service.RevertToSelf()) {
                // A thread left impersonating would act for the caller: nothing may run on after that.
                Runtime.getRuntime().halt(1);
            }
        }
    }

    @Override
    public Sid processUser(int processId) {
        return processUserOf(this, pipes, processId);
    }

    static Sid processUserOf(JnaWin32 win32, BrokerLibraries.Kernel32Pipes pipes, int processId) {
        Pointer process = pipes.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, processId);
        check(process != null, "OpenProcess(" + processId + ")");
        Handle p = handle(process);
        try {
            Handle token = win32.openProcessToken(p, TOKEN_QUERY);
            try {
                return win32.tokenUser(token);
            } finally {
                win32.closeHandle(token);
            }
        } finally {
            win32.closeHandle(p);
        }
    }

    // The agent's token

    @Override
    public Handle logonS4U(String userName) {
        BrokerStructs.LSA_STRING processName = lsaString("mcp-contain-broker");
        PointerByReference lsa = new PointerByReference();
        IntByReference mode = new IntByReference();
        ntCheck(secur32.LsaRegisterLogonProcess(processName, lsa, mode), "LsaRegisterLogonProcess");
        try {
            IntByReference packageId = new IntByReference();
            ntCheck(secur32.LsaLookupAuthenticationPackage(lsa.getValue(), lsaString(MSV1_0_PACKAGE_NAME), packageId),
                    "LsaLookupAuthenticationPackage");
            char[] computer = new char[64];
            IntByReference size = new IntByReference(computer.length);
            check(pipes.GetComputerNameW(computer, size), "GetComputerNameW");
            String domain = new String(computer, 0, size.getValue());

            byte[] user = userName.getBytes(StandardCharsets.UTF_16LE);
            byte[] dom = domain.getBytes(StandardCharsets.UTF_16LE);
            int header = new BrokerStructs.MSV1_0_S4U_LOGON().size();
            Memory buffer = new Memory(header + user.length + 2L + dom.length + 2L);
            buffer.clear();
            buffer.write(header, user, 0, user.length);
            buffer.write(header + user.length + 2L, dom, 0, dom.length);
            var logon = new BrokerStructs.MSV1_0_S4U_LOGON(buffer);
            logon.MessageType = BrokerStructs.MSV1_0_S4U_LOGON.MS_V1_0_S4U_LOGON;
            logon.UserPrincipalName.Length = (short) user.length;
            logon.UserPrincipalName.MaximumLength = (short) (user.length + 2);
            logon.UserPrincipalName.Buffer = buffer.share(header);
            logon.DomainName.Length = (short) dom.length;
            logon.DomainName.MaximumLength = (short) (dom.length + 2);
            logon.DomainName.Buffer = buffer.share(header + user.length + 2L);
            logon.write();

            var source = new BrokerStructs.TOKEN_SOURCE();
            byte[] sourceName = "mcpcntn".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(sourceName, 0, source.SourceName, 0, sourceName.length);
            check(service.AllocateLocallyUniqueId(source.SourceIdentifier), "AllocateLocallyUniqueId");
            PointerByReference profile = new PointerByReference();
            IntByReference profileLength = new IntByReference();
            PointerByReference token = new PointerByReference();
            IntByReference subStatus = new IntByReference();
            ntCheck(secur32.LsaLogonUser(lsa.getValue(), lsaString("mcp-contain"), LOGON32_LOGON_BATCH,
                    packageId.getValue(), buffer, (int) buffer.size(), null, source, profile, profileLength,
                    new BrokerStructs.LUID(), token, new BrokerStructs.QUOTA_LIMITS(), subStatus), "LsaLogonUser");
            if (profile.getValue() != null) {
                secur32.LsaFreeReturnBuffer(profile.getValue());
            }
            return handle(token.getValue());
        } finally {
            secur32.LsaDeregisterLogonProcess(lsa.getValue());
        }
    }

    @Override
    public int tokenSessionId(Handle token) {
        return tokenInformation(token, TOKEN_SESSION_ID).getInt(0);
    }

    // Less-privileged AppContainer

    @Override
    public void setLessPrivilegedAppContainer(AttributeList list) {
        Memory value = new Memory(4);
        value.setInt(0, PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT);
        attributeLists.get(list.id()).add(value);
        check(kernel32.UpdateProcThreadAttribute(listMemory(list), 0,
                PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY, value, value.size(), null, null),
                "UpdateProcThreadAttribute(ALL_APPLICATION_PACKAGES_POLICY)");
    }

    @Override
    public boolean tokenIsLessPrivilegedAppContainer(Handle token) {
        return tokenInformation(token, TOKEN_IS_LESS_PRIVILEGED_APP_CONTAINER).getInt(0) != 0;
    }

    @Override
    public void setProtectedSecurity(String path, String sddl) {
        PointerByReference descriptor = new PointerByReference();
        check(advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl), 1, descriptor, null),
                "ConvertStringSecurityDescriptorToSecurityDescriptorW");
        try {
            PointerByReference owner = new PointerByReference();
            PointerByReference dacl = new PointerByReference();
            IntByReference flag = new IntByReference();
            check(service.GetSecurityDescriptorOwner(descriptor.getValue(), owner, flag), "GetSecurityDescriptorOwner");
            check(service.GetSecurityDescriptorDacl(descriptor.getValue(), new IntByReference(), dacl, flag),
                    "GetSecurityDescriptorDacl");
            int error = advapi32.SetNamedSecurityInfoW(new WString(path), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION
                    | DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, owner.getValue(), null,
                    dacl.getValue(), null);
            if (error != 0) {
                throw failure("SetNamedSecurityInfoW(owner, protected DACL)", error);
            }
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    // Helpers

    private void ntCheck(int ntStatus, String function) {
        if (ntStatus != 0) {
            throw failure(function, service.LsaNtStatusToWinError(ntStatus));
        }
    }

    private static BrokerStructs.LSA_STRING lsaString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        Memory buffer = new Memory(bytes.length + 1L);
        buffer.clear();
        buffer.write(0, bytes, 0, bytes.length);
        var s = new BrokerStructs.LSA_STRING();
        s.Length = (short) bytes.length;
        s.MaximumLength = (short) (bytes.length + 1);
        s.Buffer = buffer;
        return s;
    }

    static Memory utf16(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_16LE);
        Memory m = new Memory(bytes.length + 2L);
        m.clear();
        m.write(0, bytes, 0, bytes.length);
        return m;
    }
}
