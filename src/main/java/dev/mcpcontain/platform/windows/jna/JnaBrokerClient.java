package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.broker.BrokerClientWin32;

/** {@link BrokerClientWin32} through JNA: the launcher's side of the broker, as the user. */
public final class JnaBrokerClient implements BrokerClientWin32 {

    private static final int SC_MANAGER_CONNECT = 0x1;
    private static final int SERVICE_QUERY_STATUS = 0x4;
    private static final int SERVICE_START = 0x10;
    private static final int SERVICE_RUNNING = 4;
    private static final int ERROR_SERVICE_ALREADY_RUNNING = 1056;
    private static final int ERROR_FILE_NOT_FOUND = 2;
    private static final int ERROR_PIPE_BUSY = 231;
    private static final int FILE_READ_DATA = 0x1;
    private static final int FILE_WRITE_DATA = 0x2;
    private static final int FILE_READ_ATTRIBUTES = 0x80;
    private static final int SYNCHRONIZE = 0x100000;
    private static final int READ_CONTROL = 0x20000;
    private static final int SE_KERNEL_OBJECT = 6;
    private static final int OWNER_SECURITY_INFORMATION = 0x1;
    private static final int OPEN_EXISTING = 3;
    /** SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION: the server may identify the launcher, not act as it. */
    private static final int IDENTIFICATION_ONLY = 0x00100000 | 0x00010000;

    private final JnaWin32 base = new JnaWin32();
    private final BrokerLibraries.Kernel32Pipes pipes = BrokerLibraries.Kernel32Pipes.INSTANCE;
    private final BrokerLibraries.Advapi32Service service = BrokerLibraries.Advapi32Service.INSTANCE;

    @Override
    public void startService(String name) {
        Pointer scm = service.OpenSCManagerW(null, null, SC_MANAGER_CONNECT);
        JnaWin32.check(scm != null, "OpenSCManagerW");
        try {
            Pointer svc = service.OpenServiceW(scm, new WString(name), SERVICE_START | SERVICE_QUERY_STATUS);
            JnaWin32.check(svc != null, "OpenServiceW(" + name + ")");
            try {
                if (!service.StartServiceW(svc, 0, null)) {
                    int error = Native.getLastError();
                    if (error != ERROR_SERVICE_ALREADY_RUNNING) {
                        throw JnaWin32.failure("StartServiceW(" + name + ")", error);
                    }
                }
                var status = new BrokerStructs.SERVICE_STATUS();
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (System.nanoTime() < deadline) {
                    JnaWin32.check(service.QueryServiceStatus(svc, status), "QueryServiceStatus");
                    if (status.dwCurrentState == SERVICE_RUNNING) {
                        return;
                    }
                    sleep(50);
                }
                throw new dev.mcpcontain.platform.windows.Win32CallException("StartServiceW(" + name + ")", 1053,
                        "the service did not report RUNNING within 15 s");
            } finally {
                service.CloseServiceHandle(svc);
            }
        } finally {
            service.CloseServiceHandle(scm);
        }
    }

    @Override
    public Win32.Handle openPipe(String name, boolean read, boolean write, long waitMillis) {
        int access = FILE_READ_ATTRIBUTES | SYNCHRONIZE | READ_CONTROL | (read ? FILE_READ_DATA : 0)
                | (write ? FILE_WRITE_DATA : 0);
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (true) {
            Pointer h = pipes.CreateFileW(new WString(name), access, 0, null, OPEN_EXISTING, IDENTIFICATION_ONLY, null);
            if (h != null && Pointer.nativeValue(h) != -1) {
                return JnaWin32.handle(h);
            }
            int error = Native.getLastError();
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if ((error != ERROR_PIPE_BUSY && error != ERROR_FILE_NOT_FOUND) || left <= 0) {
                throw JnaWin32.failure("CreateFileW(" + name + ")", error);
            }
            if (error == ERROR_PIPE_BUSY) {
                pipes.WaitNamedPipeW(new WString(name), (int) Math.min(left, Integer.MAX_VALUE));
            } else {
                sleep(50);
            }
        }
    }

    @Override
    public int peekAvailable(Win32.Handle pipe) {
        return JnaBrokerWin32.peek(pipes, pipe);
    }

    @Override
    public Sid pipeOwner(Win32.Handle pipe) {
        PointerByReference owner = new PointerByReference();
        PointerByReference descriptor = new PointerByReference();
        int error = service.GetSecurityInfo(JnaWin32.pointer(pipe), SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, owner,
                null, null, null, descriptor);
        if (error != 0) {
            throw JnaWin32.failure("GetSecurityInfo(owner)", error);
        }
        try {
            return TokenInformation.sidAt(owner.getValue());
        } finally {
            base.kernel32.LocalFree(descriptor.getValue());
        }
    }

    @Override
    public int namedPipeServerProcessId(Win32.Handle pipe) {
        IntByReference pid = new IntByReference();
        JnaWin32.check(pipes.GetNamedPipeServerProcessId(JnaWin32.pointer(pipe), pid), "GetNamedPipeServerProcessId");
        return pid.getValue();
    }

    @Override
    public Sid currentUser() {
        Win32.Handle token = base.openProcessToken(base.currentProcess(), Win32.TOKEN_QUERY);
        try {
            return base.tokenUser(token);
        } finally {
            base.closeHandle(token);
        }
    }

    @Override
    public int currentProcessId() {
        return pipes.GetCurrentProcessId();
    }

    @Override
    public int read(Win32.Handle handle, byte[] buffer, int offset, int length) {
        return base.read(handle, buffer, offset, length);
    }

    @Override
    public void write(Win32.Handle handle, byte[] buffer, int offset, int length) {
        base.write(handle, buffer, offset, length);
    }

    @Override
    public void closeHandle(Win32.Handle handle) {
        base.closeHandle(handle);
    }

    @Override
    public Win32.Handle stdHandle(int which) {
        return base.stdHandle(which);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.mcpcontain.platform.windows.Win32CallException("wait", 1223, "interrupted");
        }
    }
}
