package dev.mcpcontain.platform.windows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A fake Windows for the launch sequence: hands out handle values, remembers which are open and inheritable,
 * records every call in order, and lets a test make any call fail or make the child's token lie.
 */
final class RecordingWin32 implements Win32 {

    final List<String> calls = new ArrayList<>();
    final Map<Handle, String> open = new LinkedHashMap<>();
    final Set<Handle> inheritable = new HashSet<>();
    final Set<Handle> everCreated = new HashSet<>();
    final List<Handle> terminatedProcesses = new ArrayList<>();
    final List<Handle> resumedThreads = new ArrayList<>();
    final Map<Handle, JobLimits> jobLimits = new LinkedHashMap<>();
    final Map<Handle, Integer> uiRestrictions = new LinkedHashMap<>();
    final Map<Handle, Handle> jobOfProcess = new LinkedHashMap<>();
    List<Handle> handleList;
    Sid securityCapabilitiesSid;
    List<Sid> securityCapabilities;
    String windowStation = "WinSta0";
    Startup startup;
    Optional<Handle> createToken;
    int createFlags;
    String createApplication;
    String createCommandLine;
    String createEnvironment;
    String createDirectory;
    String desktopSddl;
    Handle createdProcess;
    Handle createdThread;
    final Map<Handle, Integer> exitCodes = new LinkedHashMap<>();

    /** Call name -> error code to fail with. */
    final Map<String, Integer> failures = new LinkedHashMap<>();

    // What the child's token reports; each can be set to lie.
    boolean childIsAppContainer = true;
    Optional<Sid> childAppContainerSid;
    Sid childIntegrity = Sid.integrity(0x1000);
    List<Group> childCapabilities;
    List<Group> childGroups = List.of(new Group(Sid.ADMINISTRATORS, SE_GROUP_USE_FOR_DENY_ONLY), new Group(Sid.USERS, 7));
    List<Long> childPrivileges = List.of(SE_CHANGE_NOTIFY_PRIVILEGE);
    boolean childInJob = true;
    int suspendCountBeforeResume = 1;
    Sid ownUser = Sid.parse("S-1-5-21-1-2-3-1000");
    Sid appContainerSidGiven;

    private long next = 0x100;
    private Handle childTokenHandle;

    private Handle handle(String what) {
        Handle h = new Handle(next);
        next += 4;
        open.put(h, what);
        everCreated.add(h);
        return h;
    }

    private void call(String name, Object... args) {
        StringBuilder line = new StringBuilder(name);
        if (args.length > 0) {
            line.append('(');
            for (int i = 0; i < args.length; i++) {
                line.append(i == 0 ? "" : ", ").append(args[i]);
            }
            line.append(')');
        }
        calls.add(line.toString());
        Integer error = failures.get(name);
        if (error != null) {
            throw new Win32CallException(name, error, "injected");
        }
    }

    List<String> callNames() {
        return calls.stream().map(c -> c.contains("(") ? c.substring(0, c.indexOf('(')) : c).toList();
    }

    private void requireOpen(Handle h) {
        if (!open.containsKey(h)) {
            throw new AssertionError("use of a handle that is not open: " + h);
        }
    }

    @Override
    public Handle currentProcess() {
        call("currentProcess");
        return new Handle(-1);
    }

    @Override
    public Handle stdHandle(int which) {
        call("stdHandle", which);
        Handle h = new Handle(0x10 + (-which - 10) * 4L);
        open.putIfAbsent(h, "std " + which);
        return h;
    }

    @Override
    public Handle duplicate(Handle handle, boolean inherit) {
        call("duplicate", handle, inherit);
        requireOpen(handle);
        Handle copy = handle("copy of " + handle);
        if (inherit) {
            inheritable.add(copy);
        }
        return copy;
    }

    @Override
    public Pipe createPipe() {
        call("createPipe");
        return new Pipe(handle("pipe read"), handle("pipe write"));
    }

    @Override
    public void setInheritable(Handle handle, boolean inherit) {
        call("setInheritable", handle, inherit);
        requireOpen(handle);
        if (inherit) {
            inheritable.add(handle);
        } else {
            inheritable.remove(handle);
        }
    }

    @Override
    public void closeHandle(Handle handle) {
        call("closeHandle", handle);
        if (open.remove(handle) == null) {
            throw new AssertionError("CloseHandle on a handle that is not open: " + handle);
        }
    }

    @Override
    public Handle openProcessToken(Handle process, int access) {
        call("openProcessToken", process, "0x" + Integer.toHexString(access));
        Handle token = handle("token of " + process);
        if (process.equals(createdProcess)) {
            childTokenHandle = token;
        }
        return token;
    }

    @Override
    public Handle createRestrictedToken(Handle token, int flags, List<Sid> denyOnly, List<Sid> restricting) {
        call("createRestrictedToken", token, flags, denyOnly, restricting);
        requireOpen(token);
        return handle("restricted token");
    }

    @Override
    public void setIntegrityLevel(Handle token, Sid label) {
        call("setIntegrityLevel", token, label);
        requireOpen(token);
    }

    private void requireChildToken(Handle token) {
        if (!token.equals(childTokenHandle)) {
            throw new AssertionError("verification must read the child's token, not " + token);
        }
        requireOpen(token);
    }

    @Override
    public Sid tokenUser(Handle token) {
        call("tokenUser", token);
        requireOpen(token);
        return ownUser;
    }

    @Override
    public boolean tokenIsAppContainer(Handle token) {
        call("tokenIsAppContainer", token);
        requireChildToken(token);
        return childIsAppContainer;
    }

    @Override
    public Optional<Sid> tokenAppContainerSid(Handle token) {
        call("tokenAppContainerSid", token);
        requireChildToken(token);
        return childAppContainerSid != null ? childAppContainerSid : Optional.ofNullable(securityCapabilitiesSid);
    }

    @Override
    public Sid tokenIntegrityLevel(Handle token) {
        call("tokenIntegrityLevel", token);
        requireChildToken(token);
        return childIntegrity;
    }

    @Override
    public List<Group> tokenGroups(Handle token) {
        call("tokenGroups", token);
        requireChildToken(token);
        return childGroups;
    }

    @Override
    public List<Group> tokenCapabilities(Handle token) {
        call("tokenCapabilities", token);
        requireChildToken(token);
        return childCapabilities != null ? childCapabilities
                : securityCapabilities.stream().map(s -> new Group(s, SE_GROUP_ENABLED)).toList();
    }

    @Override
    public List<Long> tokenPrivileges(Handle token) {
        call("tokenPrivileges", token);
        requireChildToken(token);
        return childPrivileges;
    }

    @Override
    public boolean isTokenRestricted(Handle token) {
        call("isTokenRestricted", token);
        return false;
    }

    @Override
    public Sid createAppContainerProfile(String name, String displayName, String description, List<Sid> capabilities) {
        call("createAppContainerProfile", name, capabilities);
        return appContainerSidGiven != null ? appContainerSidGiven : CapabilitySids.appContainer(name);
    }

    @Override
    public Handle createJobObject() {
        call("createJobObject");
        return handle("job");
    }

    @Override
    public void setExtendedLimits(Handle job, JobLimits limits) {
        call("setExtendedLimits", job, "0x" + Integer.toHexString(limits.limitFlags()));
        requireOpen(job);
        jobLimits.put(job, limits);
    }

    @Override
    public void setUiRestrictions(Handle job, int restrictions) {
        call("setUiRestrictions", job, "0x" + Integer.toHexString(restrictions));
        uiRestrictions.put(job, restrictions);
    }

    @Override
    public void setCpuRateHardCap(Handle job, int rate) {
        call("setCpuRateHardCap", job, rate);
    }

    @Override
    public void assignProcessToJob(Handle job, Handle process) {
        call("assignProcessToJob", job, process);
        requireOpen(job);
        requireOpen(process);
        jobOfProcess.put(process, job);
    }

    @Override
    public boolean isProcessInJob(Handle process, Handle job) {
        call("isProcessInJob", process, job);
        return childInJob && job.equals(jobOfProcess.get(process));
    }

    @Override
    public void terminateJob(Handle job, int exitCode) {
        call("terminateJob", job, exitCode);
        jobOfProcess.forEach((p, j) -> {
            if (j.equals(job)) {
                exitCodes.put(p, exitCode);
            }
        });
    }

    @Override
    public Handle processWindowStation() {
        call("processWindowStation");
        return new Handle(0x8);
    }

    @Override
    public Handle createWindowStation(String name, String sddl) {
        call("createWindowStation", name);
        desktopSddl = sddl;
        return handle("window station " + name);
    }

    @Override
    public void setProcessWindowStation(Handle station) {
        call("setProcessWindowStation", station);
    }

    @Override
    public Handle createDesktop(String name, String sddl) {
        call("createDesktop", name);
        return handle("desktop " + name);
    }

    @Override
    public AttributeList createAttributeList(int count) {
        call("createAttributeList", count);
        return new AttributeList(count);
    }

    @Override
    public void setHandleList(AttributeList list, List<Handle> handles) {
        call("setHandleList", handles);
        handleList = handles;
    }

    @Override
    public void setSecurityCapabilities(AttributeList list, Sid appContainer, List<Sid> capabilities) {
        call("setSecurityCapabilities", appContainer, capabilities);
        securityCapabilitiesSid = appContainer;
        securityCapabilities = capabilities;
    }

    @Override
    public void deleteAttributeList(AttributeList list) {
        call("deleteAttributeList");
    }

    @Override
    public CreatedProcess createProcess(Optional<Handle> token, String application, String commandLine, int flags,
            String environmentBlock, String currentDirectory, Startup startup) {
        call("createProcess", "0x" + Integer.toHexString(flags));
        token.ifPresent(this::requireOpen);
        for (Handle h : List.of(startup.stdin(), startup.stdout(), startup.stderr())) {
            requireOpen(h);
        }
        this.startup = startup;
        this.createToken = token;
        this.createFlags = flags;
        this.createApplication = application;
        this.createCommandLine = commandLine;
        this.createEnvironment = environmentBlock;
        this.createDirectory = currentDirectory;
        createdProcess = handle("child process");
        createdThread = handle("child thread");
        exitCodes.put(createdProcess, STILL_ACTIVE);
        return new CreatedProcess(createdProcess, createdThread, 4242, 4243);
    }

    String logonUser;
    String logonPassword;
    String logonDesktop;

    @Override
    public CreatedProcess createProcessWithLogon(String userName, char[] password, String application,
            String commandLine, int flags, String environmentBlock, String currentDirectory, String desktop,
            Handle stdin, Handle stdout, Handle stderr) {
        call("createProcessWithLogon", userName, "0x" + Integer.toHexString(flags));
        for (Handle h : List.of(stdin, stdout, stderr)) {
            requireOpen(h);
        }
        logonUser = userName;
        logonPassword = new String(password);
        logonDesktop = desktop;
        createFlags = flags;
        createApplication = application;
        createCommandLine = commandLine;
        createEnvironment = environmentBlock;
        startup = new Startup(desktop, stdin, stdout, stderr, null);
        createdProcess = handle("inner launcher process");
        createdThread = handle("inner launcher thread");
        exitCodes.put(createdProcess, STILL_ACTIVE);
        return new CreatedProcess(createdProcess, createdThread, 5151, 5152);
    }

    @Override
    public int resumeThread(Handle thread) {
        call("resumeThread", thread);
        requireOpen(thread);
        resumedThreads.add(thread);
        return suspendCountBeforeResume;
    }

    @Override
    public void terminateProcess(Handle process, int exitCode) {
        call("terminateProcess", process, exitCode);
        terminatedProcesses.add(process);
        exitCodes.put(process, exitCode);
    }

    @Override
    public boolean waitFor(Handle object, long millis) {
        call("waitFor", object);
        return exitCodes.getOrDefault(object, STILL_ACTIVE) != STILL_ACTIVE;
    }

    @Override
    public int exitCode(Handle process) {
        return exitCodes.getOrDefault(process, STILL_ACTIVE);
    }

    final List<AceSpec> aces = new ArrayList<>();
    final Set<String> missingFunctions = new HashSet<>();

    @Override
    public void addAce(AceSpec ace) {
        call("addAce", ace.path());
        aces.add(ace);
    }

    @Override
    public boolean revokeAces(String path, Sid trustee) {
        call("revokeAces", path);
        return aces.removeIf(a -> a.path().equalsIgnoreCase(path) && a.trustee().equals(trustee));
    }

    @Override
    public boolean hasFunction(String library, String function) {
        return !missingFunctions.contains(function);
    }

    @Override
    public int read(Handle handle, byte[] buffer, int offset, int length) {
        call("read", handle);
        return -1;
    }

    @Override
    public void write(Handle handle, byte[] buffer, int offset, int length) {
        call("write", handle);
        requireOpen(handle);
    }
}
