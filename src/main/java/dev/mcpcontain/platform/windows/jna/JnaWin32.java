package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Kernel32Util;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;
import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.AclBytes;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.EnvironmentBlock;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Win32} through JNA: the only class that calls Windows. Each method makes its call, checks it, and turns a
 * failure into a {@link Win32CallException} with GetLastError and the system's message. Native memory handed to
 * Windows stays referenced until Windows no longer reads it (attribute lists until they are deleted).
 */
public class JnaWin32 implements Win32 {

    private static final int HANDLE_FLAG_INHERIT = 0x1;
    private static final int DUPLICATE_SAME_ACCESS = 0x2;
    private static final int STARTF_USESTDHANDLES = 0x100;
    private static final int ERROR_INSUFFICIENT_BUFFER = 122;
    private static final int ERROR_BAD_LENGTH = 24;
    private static final int ERROR_BROKEN_PIPE = 109;
    private static final int ERROR_PIPE_NOT_CONNECTED = 233;
    private static final int WAIT_OBJECT_0 = 0;
    private static final int WAIT_TIMEOUT = 0x102;
    private static final int HRESULT_ALREADY_EXISTS = 0x800700B7;
    private static final long PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x20002;
    private static final long PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES = 0x20009;
    private static final long PROC_THREAD_ATTRIBUTE_JOB_LIST = 0x2000D;
    private static final int LABEL_SECURITY_INFORMATION = 0x10;
    private static final int HRESULT_FILE_NOT_FOUND = 0x80070002;
    private static final int JOB_OBJECT_BASIC_UI_RESTRICTIONS = 4;
    private static final int JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9;
    private static final int JOB_OBJECT_CPU_RATE_CONTROL_INFORMATION = 15;
    private static final int TOKEN_INTEGRITY_LEVEL = 25;
    private static final int SE_FILE_OBJECT = 1;
    private static final int DACL_SECURITY_INFORMATION = 4;
    private static final int GRANT_ACCESS = 1;
    private static final int DENY_ACCESS = 3;
    private static final int REVOKE_ACCESS = 4;
    private static final int TRUSTEE_IS_SID = 0;
    private static final int WINSTA_ALL_ACCESS = 0x37F;
    private static final int GENERIC_ALL = 0x10000000;
    private static final int SDDL_REVISION_1 = 1;
    private static final int LOGON_WITH_PROFILE = 1;

    final Kernel32Ex kernel32;
    final Advapi32Ex advapi32;
    private final User32Ex user32;

    /** Attribute lists and everything their values point to, by id. */
    final Map<Long, List<Object>> attributeLists = new ConcurrentHashMap<>();
    private final AtomicLong nextList = new AtomicLong(1);
    private final Set<Long> windowStations = ConcurrentHashMap.newKeySet();
    private final Set<Long> desktops = ConcurrentHashMap.newKeySet();

    public JnaWin32() {
        if (!com.sun.jna.Platform.isWindows()) {
            throw new UnsupportedOperationException("the Windows bindings load on Windows only");
        }
        if (Native.POINTER_SIZE != 8 || !com.sun.jna.Platform.isIntel()) {
            // Every structure here has x64's layout; anything else would hand Windows wrong sizes.
            throw new UnsupportedOperationException("the Windows bindings need a 64-bit x64 JVM");
        }
        kernel32 = Kernel32Ex.INSTANCE;
        advapi32 = Advapi32Ex.INSTANCE;
        user32 = User32Ex.INSTANCE;
    }

    static Handle handle(Pointer p) {
        return new Handle(Pointer.nativeValue(p));
    }

    static Pointer pointer(Handle h) {
        return h == null ? null : new Pointer(h.value());
    }

    static Win32CallException failure(String function) {
        int error = Native.getLastError();
        return failure(function, error);
    }

    static Win32CallException failure(String function, int error) {
        String text;
        try {
            text = Kernel32Util.formatMessage(error);
        } catch (RuntimeException e) {
            text = "";
        }
        return new Win32CallException(function, error, text);
    }

    static void check(boolean ok, String function) {
        if (!ok) {
            throw failure(function);
        }
    }

    static Handle checkHandle(Pointer p, String function) {
        if (p == null || Pointer.nativeValue(p) == -1) {
            throw failure(function);
        }
        return handle(p);
    }

    // Process and handles

    @Override
    public Handle currentProcess() {
        return handle(kernel32.GetCurrentProcess());
    }

    @Override
    public Handle stdHandle(int which) {
        Pointer p = kernel32.GetStdHandle(which);
        if (p != null && Pointer.nativeValue(p) == -1) {
            throw failure("GetStdHandle");
        }
        return p == null ? null : handle(p);
    }

    @Override
    public Handle duplicate(Handle handle, boolean inheritable) {
        PointerByReference copy = new PointerByReference();
        Pointer self = kernel32.GetCurrentProcess();
        check(kernel32.DuplicateHandle(self, pointer(handle), self, copy, 0, inheritable, DUPLICATE_SAME_ACCESS),
                "DuplicateHandle");
        return handle(copy.getValue());
    }

    @Override
    public Pipe createPipe() {
        PointerByReference read = new PointerByReference();
        PointerByReference write = new PointerByReference();
        check(kernel32.CreatePipe(read, write, null, 0), "CreatePipe");
        return new Pipe(handle(read.getValue()), handle(write.getValue()));
    }

    @Override
    public void setInheritable(Handle handle, boolean inheritable) {
        check(kernel32.SetHandleInformation(pointer(handle), HANDLE_FLAG_INHERIT, inheritable ? HANDLE_FLAG_INHERIT : 0),
                "SetHandleInformation");
    }

    @Override
    public void closeHandle(Handle handle) {
        if (windowStations.remove(handle.value())) {
            check(user32.CloseWindowStation(pointer(handle)), "CloseWindowStation");
        } else if (desktops.remove(handle.value())) {
            check(user32.CloseDesktop(pointer(handle)), "CloseDesktop");
        } else {
            check(kernel32.CloseHandle(pointer(handle)), "CloseHandle");
        }
    }

    // Tokens

    @Override
    public Handle openProcessToken(Handle process, int access) {
        PointerByReference token = new PointerByReference();
        check(advapi32.OpenProcessToken(pointer(process), access, token), "OpenProcessToken");
        return handle(token.getValue());
    }

    @Override
    public Handle createRestrictedToken(Handle token, int flags, List<Sid> denyOnly, List<Sid> restricting) {
        List<Object> keepAlive = new ArrayList<>();
        Memory disable = TokenInformation.sidAndAttributesArray(denyOnly, 0, keepAlive);
        Memory restrict = TokenInformation.sidAndAttributesArray(restricting, 0, keepAlive);
        PointerByReference restricted = new PointerByReference();
        check(advapi32.CreateRestrictedToken(pointer(token), flags, denyOnly.size(), disable, 0, null,
                restricting.size(), restrict, restricted), "CreateRestrictedToken");
        keepAlive.clear();
        return handle(restricted.getValue());
    }

    @Override
    public void setIntegrityLevel(Handle token, Sid label) {
        Memory block = TokenInformation.mandatoryLabel(label);
        check(advapi32.SetTokenInformation(pointer(token), TOKEN_INTEGRITY_LEVEL, block, (int) block.size()),
                "SetTokenInformation(TokenIntegrityLevel)");
    }

    Memory tokenInformation(Handle token, int infoClass) {
        IntByReference length = new IntByReference();
        if (!advapi32.GetTokenInformation(pointer(token), infoClass, null, 0, length)) {
            int error = Native.getLastError();
            // Variable-size classes answer ERROR_INSUFFICIENT_BUFFER, some fixed-size ones ERROR_BAD_LENGTH.
            if (error != ERROR_INSUFFICIENT_BUFFER && error != ERROR_BAD_LENGTH) {
                throw failure("GetTokenInformation(" + infoClass + ")", error);
            }
        }
        Memory buffer = new Memory(Math.max(64, length.getValue()));
        buffer.clear();
        check(advapi32.GetTokenInformation(pointer(token), infoClass, buffer, (int) buffer.size(), length),
                "GetTokenInformation(" + infoClass + ")");
        return buffer;
    }

    @Override
    public Sid tokenUser(Handle token) {
        return TokenInformation.firstSid(tokenInformation(token, TokenInformation.TOKEN_USER));
    }

    @Override
    public boolean tokenIsAppContainer(Handle token) {
        return tokenInformation(token, TokenInformation.TOKEN_IS_APP_CONTAINER).getInt(0) != 0;
    }

    @Override
    public Optional<Sid> tokenAppContainerSid(Handle token) {
        return TokenInformation.appContainerSid(tokenInformation(token, TokenInformation.TOKEN_APP_CONTAINER_SID));
    }

    @Override
    public Sid tokenIntegrityLevel(Handle token) {
        return TokenInformation.firstSid(tokenInformation(token, TokenInformation.TOKEN_INTEGRITY_LEVEL));
    }

    @Override
    public List<Group> tokenGroups(Handle token) {
        return TokenInformation.groups(tokenInformation(token, TokenInformation.TOKEN_GROUPS));
    }

    @Override
    public List<Group> tokenCapabilities(Handle token) {
        return TokenInformation.groups(tokenInformation(token, TokenInformation.TOKEN_CAPABILITIES));
    }

    @Override
    public List<Long> tokenPrivileges(Handle token) {
        return TokenInformation.privileges(tokenInformation(token, TokenInformation.TOKEN_PRIVILEGES));
    }

    @Override
    public boolean isTokenRestricted(Handle token) {
        return advapi32.IsTokenRestricted(pointer(token));
    }

    // AppContainer profiles

    @Override
    public Sid createAppContainerProfile(String name, String displayName, String description, List<Sid> capabilities) {
        List<Object> keepAlive = new ArrayList<>();
        Memory caps = TokenInformation.sidAndAttributesArray(capabilities, SE_GROUP_ENABLED, keepAlive);
        PointerByReference sid = new PointerByReference();
        int hr = UserEnv.INSTANCE.CreateAppContainerProfile(new WString(name), new WString(displayName),
                new WString(description), caps, capabilities.size(), sid);
        if (hr == HRESULT_ALREADY_EXISTS) {
            hr = UserEnv.INSTANCE.DeriveAppContainerSidFromAppContainerName(new WString(name), sid);
            if (hr != 0) {
                throw new Win32CallException("DeriveAppContainerSidFromAppContainerName", hr, "");
            }
        } else if (hr != 0) {
            throw new Win32CallException("CreateAppContainerProfile", hr, "HRESULT 0x" + Integer.toHexString(hr));
        }
        try {
            return TokenInformation.sidAt(sid.getValue());
        } finally {
            advapi32.FreeSid(sid.getValue());
        }
    }

    @Override
    public void deleteAppContainerProfile(String name) {
        int hr = UserEnv.INSTANCE.DeleteAppContainerProfile(new WString(name));
        if (hr != 0 && hr != HRESULT_FILE_NOT_FOUND) {
            throw new Win32CallException("DeleteAppContainerProfile", hr, "HRESULT 0x" + Integer.toHexString(hr));
        }
    }

    // Job objects

    @Override
    public Handle createJobObject() {
        return checkHandle(kernel32.CreateJobObjectW(null, null), "CreateJobObjectW");
    }

    @Override
    public void setExtendedLimits(Handle job, JobLimits limits) {
        var info = new JobObjectStructs.JOBOBJECT_EXTENDED_LIMIT_INFORMATION();
        info.BasicLimitInformation.LimitFlags = limits.limitFlags();
        info.BasicLimitInformation.ActiveProcessLimit = limits.activeProcessLimit();
        info.BasicLimitInformation.PerProcessUserTimeLimit = limits.perProcessUserTimeLimit();
        info.JobMemoryLimit = limits.jobMemoryLimit();
        info.write();
        check(kernel32.SetInformationJobObject(pointer(job), JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, info.getPointer(),
                info.size()), "SetInformationJobObject(ExtendedLimitInformation)");
    }

    @Override
    public void setUiRestrictions(Handle job, int restrictions) {
        var info = new JobObjectStructs.JOBOBJECT_BASIC_UI_RESTRICTIONS();
        info.UIRestrictionsClass = restrictions;
        info.write();
        check(kernel32.SetInformationJobObject(pointer(job), JOB_OBJECT_BASIC_UI_RESTRICTIONS, info.getPointer(),
                info.size()), "SetInformationJobObject(BasicUIRestrictions)");
    }

    @Override
    public void setCpuRateHardCap(Handle job, int rate) {
        var info = new JobObjectStructs.JOBOBJECT_CPU_RATE_CONTROL_INFORMATION();
        info.ControlFlags = JobLimits.CPU_RATE_CONTROL_ENABLE | JobLimits.CPU_RATE_CONTROL_HARD_CAP;
        info.CpuRate = rate;
        info.write();
        check(kernel32.SetInformationJobObject(pointer(job), JOB_OBJECT_CPU_RATE_CONTROL_INFORMATION,
                info.getPointer(), info.size()), "SetInformationJobObject(CpuRateControlInformation)");
    }

    @Override
    public void assignProcessToJob(Handle job, Handle process) {
        check(kernel32.AssignProcessToJobObject(pointer(job), pointer(process)), "AssignProcessToJobObject");
    }

    @Override
    public boolean isProcessInJob(Handle process, Handle job) {
        IntByReference result = new IntByReference();
        check(kernel32.IsProcessInJob(pointer(process), pointer(job), result), "IsProcessInJob");
        return result.getValue() != 0;
    }

    @Override
    public boolean isProcessInAnyJob(Handle process) {
        IntByReference result = new IntByReference();
        check(kernel32.IsProcessInJob(pointer(process), null, result), "IsProcessInJob(NULL)");
        return result.getValue() != 0;
    }

    @Override
    public int processSessionId(Handle process) {
        int pid = kernel32.GetProcessId(pointer(process));
        if (pid == 0) {
            throw failure("GetProcessId");
        }
        IntByReference session = new IntByReference();
        check(kernel32.ProcessIdToSessionId(pid, session), "ProcessIdToSessionId");
        return session.getValue();
    }

    @Override
    public void terminateJob(Handle job, int exitCode) {
        check(kernel32.TerminateJobObject(pointer(job), exitCode), "TerminateJobObject");
    }

    // Window station and desktop

    @Override
    public Handle processWindowStation() {
        return checkHandle(user32.GetProcessWindowStation(), "GetProcessWindowStation");
    }

    ProcessStructs.SECURITY_ATTRIBUTES securityAttributes(String sddl, PointerByReference descriptor) {
        check(advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl), SDDL_REVISION_1,
                descriptor, null), "ConvertStringSecurityDescriptorToSecurityDescriptorW");
        var sa = new ProcessStructs.SECURITY_ATTRIBUTES();
        sa.nLength = sa.size();
        sa.lpSecurityDescriptor = descriptor.getValue();
        sa.bInheritHandle = 0;
        sa.write();
        return sa;
    }

    @Override
    public Handle createWindowStation(String name, String sddl) {
        PointerByReference descriptor = new PointerByReference();
        var sa = securityAttributes(sddl, descriptor);
        try {
            Handle station = checkHandle(user32.CreateWindowStationW(new WString(name), 0, WINSTA_ALL_ACCESS,
                    sa.getPointer()), "CreateWindowStationW");
            windowStations.add(station.value());
            return station;
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    @Override
    public void setProcessWindowStation(Handle windowStation) {
        check(user32.SetProcessWindowStation(pointer(windowStation)), "SetProcessWindowStation");
    }

    @Override
    public Handle createDesktop(String name, String sddl) {
        PointerByReference descriptor = new PointerByReference();
        var sa = securityAttributes(sddl, descriptor);
        try {
            Handle desktop = checkHandle(user32.CreateDesktopW(new WString(name), null, null, 0, GENERIC_ALL,
                    sa.getPointer()), "CreateDesktopW");
            desktops.add(desktop.value());
            return desktop;
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    // Process creation

    @Override
    public AttributeList createAttributeList(int count) {
        LongByReference size = new LongByReference();
        // The size query fails by design with ERROR_INSUFFICIENT_BUFFER.
        kernel32.InitializeProcThreadAttributeList(null, count, 0, size);
        if (size.getValue() <= 0) {
            throw failure("InitializeProcThreadAttributeList(size)");
        }
        Memory list = new Memory(size.getValue());
        list.clear();
        check(kernel32.InitializeProcThreadAttributeList(list, count, 0, size), "InitializeProcThreadAttributeList");
        long id = nextList.getAndIncrement();
        List<Object> keepAlive = new ArrayList<>();
        keepAlive.add(list);
        attributeLists.put(id, keepAlive);
        return new AttributeList(id);
    }

    Memory listMemory(AttributeList list) {
        List<Object> keepAlive = attributeLists.get(list.id());
        if (keepAlive == null) {
            throw new IllegalStateException("attribute list " + list.id() + " was deleted");
        }
        return (Memory) keepAlive.get(0);
    }

    @Override
    public void setHandleList(AttributeList list, List<Handle> handles) {
        Memory value = new Memory(8L * handles.size());
        for (int i = 0; i < handles.size(); i++) {
            value.setPointer(8L * i, pointer(handles.get(i)));
        }
        attributeLists.get(list.id()).add(value);
        check(kernel32.UpdateProcThreadAttribute(listMemory(list), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, value,
                value.size(), null, null), "UpdateProcThreadAttribute(HANDLE_LIST)");
    }

    @Override
    public void setSecurityCapabilities(AttributeList list, Sid appContainer, List<Sid> capabilities) {
        List<Object> keepAlive = attributeLists.get(list.id());
        Memory sid = TokenInformation.sidMemory(appContainer);
        keepAlive.add(sid);
        Memory caps = TokenInformation.sidAndAttributesArray(capabilities, SE_GROUP_ENABLED, keepAlive);
        var value = new TokenStructs.SECURITY_CAPABILITIES();
        value.AppContainerSid = sid;
        value.Capabilities = caps;
        value.CapabilityCount = capabilities.size();
        value.write();
        keepAlive.add(value);
        check(kernel32.UpdateProcThreadAttribute(listMemory(list), 0, PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES,
                value.getPointer(), value.size(), null, null), "UpdateProcThreadAttribute(SECURITY_CAPABILITIES)");
    }

    @Override
    public void setJobList(AttributeList list, List<Handle> jobs) {
        Memory value = new Memory(8L * jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            value.setPointer(8L * i, pointer(jobs.get(i)));
        }
        attributeLists.get(list.id()).add(value);
        check(kernel32.UpdateProcThreadAttribute(listMemory(list), 0, PROC_THREAD_ATTRIBUTE_JOB_LIST, value,
                value.size(), null, null), "UpdateProcThreadAttribute(JOB_LIST)");
    }

    @Override
    public void deleteAttributeList(AttributeList list) {
        List<Object> keepAlive = attributeLists.remove(list.id());
        if (keepAlive != null) {
            kernel32.DeleteProcThreadAttributeList((Memory) keepAlive.get(0));
        }
    }

    @Override
    public CreatedProcess createProcess(Optional<Handle> token, String application, String commandLine, int flags,
            String environmentBlock, String currentDirectory, Startup startup) {
        var si = new ProcessStructs.STARTUPINFOEXW();
        si.StartupInfo.cb = si.size();
        si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
        si.StartupInfo.hStdInput = pointer(startup.stdin());
        si.StartupInfo.hStdOutput = pointer(startup.stdout());
        si.StartupInfo.hStdError = pointer(startup.stderr());
        Memory desktop = null;
        if (!startup.desktop().isEmpty()) {
            desktop = new Memory(2L * (startup.desktop().length() + 1));
            desktop.setWideString(0, startup.desktop());
            si.StartupInfo.lpDesktop = desktop;
        }
        si.lpAttributeList = listMemory(startup.attributes());
        byte[] env = EnvironmentBlock.utf16(environmentBlock);
        Memory environment = new Memory(env.length);
        environment.write(0, env, 0, env.length);
        char[] line = (commandLine + '\0').toCharArray();
        var pi = new ProcessStructs.PROCESS_INFORMATION();
        boolean ok = token.isPresent()
                ? advapi32.CreateProcessAsUserW(pointer(token.get()), new WString(application), line, null, null, true,
                        flags, environment, new WString(currentDirectory), si, pi)
                : kernel32.CreateProcessW(new WString(application), line, null, null, true, flags, environment,
                        new WString(currentDirectory), si, pi);
        check(ok, token.isPresent() ? "CreateProcessAsUserW" : "CreateProcessW");
        pi.read();
        // Referenced until here so that the collector cannot free them while Windows reads them.
        java.lang.ref.Reference.reachabilityFence(desktop);
        java.lang.ref.Reference.reachabilityFence(environment);
        return new CreatedProcess(handle(pi.hProcess), handle(pi.hThread), pi.dwProcessId, pi.dwThreadId);
    }

    @Override
    public CreatedProcess createProcessWithLogon(String userName, char[] password, String application,
            String commandLine, int flags, String environmentBlock, String currentDirectory, String desktop,
            Handle stdin, Handle stdout, Handle stderr) {
        var si = new ProcessStructs.STARTUPINFOW();
        si.cb = si.size();
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = pointer(stdin);
        si.hStdOutput = pointer(stdout);
        si.hStdError = pointer(stderr);
        Memory desktopName = new Memory(2L * (desktop.length() + 1));
        desktopName.setWideString(0, desktop);
        si.lpDesktop = desktopName;
        byte[] env = EnvironmentBlock.utf16(environmentBlock);
        Memory environment = new Memory(env.length);
        environment.write(0, env, 0, env.length);
        char[] secret = java.util.Arrays.copyOf(password, password.length + 1);
        char[] line = (commandLine + '\0').toCharArray();
        var pi = new ProcessStructs.PROCESS_INFORMATION();
        try {
            check(advapi32.CreateProcessWithLogonW(new WString(userName), new WString("."), secret, LOGON_WITH_PROFILE,
                    new WString(application), line, flags, environment, new WString(currentDirectory), si, pi),
                    "CreateProcessWithLogonW");
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
        pi.read();
        java.lang.ref.Reference.reachabilityFence(desktopName);
        java.lang.ref.Reference.reachabilityFence(environment);
        return new CreatedProcess(handle(pi.hProcess), handle(pi.hThread), pi.dwProcessId, pi.dwThreadId);
    }

    @Override
    public int resumeThread(Handle thread) {
        int previous = kernel32.ResumeThread(pointer(thread));
        if (previous == -1) {
            throw failure("ResumeThread");
        }
        return previous;
    }

    @Override
    public void terminateProcess(Handle process, int exitCode) {
        check(kernel32.TerminateProcess(pointer(process), exitCode), "TerminateProcess");
    }

    @Override
    public boolean waitFor(Handle object, long millis) {
        int result = kernel32.WaitForSingleObject(pointer(object), (int) Math.min(millis, Integer.MAX_VALUE - 1));
        if (result == WAIT_OBJECT_0) {
            return true;
        }
        if (result == WAIT_TIMEOUT) {
            return false;
        }
        throw failure("WaitForSingleObject");
    }

    @Override
    public int exitCode(Handle process) {
        IntByReference code = new IntByReference();
        check(kernel32.GetExitCodeProcess(pointer(process), code), "GetExitCodeProcess");
        return code.getValue();
    }

    // Folder ACLs

    @Override
    public void addAce(AceSpec ace) {
        changeDacl(ace.path(), ace.trustee(), ace.deny() ? DENY_ACCESS : GRANT_ACCESS, ace.accessMask(),
                ace.inheritance());
    }

    @Override
    public boolean revokeAces(String path, Sid trustee) {
        try {
            changeDacl(path, trustee, REVOKE_ACCESS, 0, 0);
            return true;
        } catch (Win32CallException e) {
            if (e.code() == Win32CallException.ERROR_FILE_NOT_FOUND || e.code() == Win32CallException.ERROR_PATH_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private void changeDacl(String path, Sid trustee, int mode, int mask, int inheritance) {
        PointerByReference dacl = new PointerByReference();
        PointerByReference descriptor = new PointerByReference();
        int error = advapi32.GetNamedSecurityInfoW(new WString(path), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                null, null, dacl, null, descriptor);
        if (error != 0) {
            throw failure("GetNamedSecurityInfoW", error);
        }
        Memory sid = TokenInformation.sidMemory(trustee);
        PointerByReference newDacl = new PointerByReference();
        try {
            var entry = new AclStructs.EXPLICIT_ACCESS_W();
            entry.grfAccessPermissions = mask;
            entry.grfAccessMode = mode;
            entry.grfInheritance = inheritance;
            entry.Trustee.TrusteeForm = TRUSTEE_IS_SID;
            entry.Trustee.ptstrName = sid;
            entry.write();
            error = advapi32.SetEntriesInAclW(1, entry, dacl.getValue(), newDacl);
            if (error != 0) {
                throw failure("SetEntriesInAclW", error);
            }
            error = advapi32.SetNamedSecurityInfoW(new WString(path), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, null,
                    null, newDacl.getValue(), null);
            if (error != 0) {
                throw failure("SetNamedSecurityInfoW", error);
            }
        } finally {
            if (newDacl.getValue() != null) {
                kernel32.LocalFree(newDacl.getValue());
            }
            kernel32.LocalFree(descriptor.getValue());
            java.lang.ref.Reference.reachabilityFence(sid);
        }
    }

    @Override
    public boolean hasAce(AceSpec ace) {
        return AclBytes.holds(AclBytes.parse(readAcl(ace.path(), DACL_SECURITY_INFORMATION)), ace);
    }

    @Override
    public int mandatoryLabel(String path) {
        return AclBytes.explicitLabel(AclBytes.parse(readAcl(path, LABEL_SECURITY_INFORMATION)));
    }

    @Override
    public void setMandatoryLabel(String path, int integrityRid, int inheritance) {
        String flags = (inheritance & 1) != 0 ? "OI" : "";
        flags += (inheritance & 2) != 0 ? "CI" : "";
        writeLabel(path, "S:(ML;" + flags + ";NW;;;" + Sid.integrity(integrityRid) + ")");
    }

    @Override
    public boolean removeMandatoryLabel(String path) {
        try {
            writeLabel(path, "S:");
            return true;
        } catch (Win32CallException e) {
            if (e.code() == Win32CallException.ERROR_FILE_NOT_FOUND || e.code() == Win32CallException.ERROR_PATH_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** The DACL or SACL (label) of a file object as bytes: GetNamedSecurityInfoW, then AclSize bytes copied. */
    private byte[] readAcl(String path, int which) {
        PointerByReference dacl = new PointerByReference();
        PointerByReference sacl = new PointerByReference();
        PointerByReference descriptor = new PointerByReference();
        int error = advapi32.GetNamedSecurityInfoW(new WString(path), SE_FILE_OBJECT, which, null, null,
                which == DACL_SECURITY_INFORMATION ? dacl : null, which == DACL_SECURITY_INFORMATION ? null : sacl,
                descriptor);
        if (error != 0) {
            throw failure("GetNamedSecurityInfoW", error);
        }
        try {
            Pointer acl = which == DACL_SECURITY_INFORMATION ? dacl.getValue() : sacl.getValue();
            if (acl == null) {
                return new byte[0];
            }
            int size = Short.toUnsignedInt(acl.getShort(2));
            return acl.getByteArray(0, size);
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    /**
     * SetNamedSecurityInfoW(LABEL_SECURITY_INFORMATION) with the SACL of an SDDL descriptor. Like the DACL, an
     * inheritable label is propagated to existing children by the call (see the README on propagation).
     */
    private void writeLabel(String path, String sddl) {
        PointerByReference descriptor = new PointerByReference();
        check(advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl), SDDL_REVISION_1,
                descriptor, null), "ConvertStringSecurityDescriptorToSecurityDescriptorW");
        try {
            IntByReference present = new IntByReference();
            IntByReference defaulted = new IntByReference();
            PointerByReference sacl = new PointerByReference();
            check(advapi32.GetSecurityDescriptorSacl(descriptor.getValue(), present, sacl, defaulted),
                    "GetSecurityDescriptorSacl");
            int error = advapi32.SetNamedSecurityInfoW(new WString(path), SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION,
                    null, null, null, sacl.getValue());
            if (error != 0) {
                throw failure("SetNamedSecurityInfoW(label)", error);
            }
        } finally {
            kernel32.LocalFree(descriptor.getValue());
        }
    }

    // Host probes

    @Override
    public boolean hasFunction(String library, String function) {
        try {
            NativeLibrary.getInstance(library).getFunction(function);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    // Pipe I/O

    @Override
    public int read(Handle handle, byte[] buffer, int offset, int length) {
        byte[] chunk = offset == 0 ? buffer : new byte[length];
        IntByReference read = new IntByReference();
        do {
            if (!kernel32.ReadFile(pointer(handle), chunk, length, read, null)) {
                int error = Native.getLastError();
                // The writer closed (anonymous pipe, or a named pipe's other end), or the server disconnected it.
                if (error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED) {
                    return -1;
                }
                throw failure("ReadFile", error);
            }
            // A zero-byte read is a zero-byte write on the other end, not EOF (which is ERROR_BROKEN_PIPE).
        } while (read.getValue() == 0);
        if (chunk != buffer) {
            System.arraycopy(chunk, 0, buffer, offset, read.getValue());
        }
        return read.getValue();
    }

    @Override
    public void write(Handle handle, byte[] buffer, int offset, int length) {
        int done = 0;
        while (done < length) {
            byte[] chunk = java.util.Arrays.copyOfRange(buffer, offset + done, offset + length);
            IntByReference written = new IntByReference();
            check(kernel32.WriteFile(pointer(handle), chunk, chunk.length, written, null), "WriteFile");
            done += written.getValue();
        }
    }

    /** For tests and diagnostics: how many attribute lists are still alive. */
    int liveAttributeLists() {
        return attributeLists.size();
    }

}
