package dev.mcpcontain.platform.windows;

import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.plan.JobLimits;
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
 *
 * <p>It also models the documented rules a launch depends on, so that a sequence Windows would refuse fails here:
 * <ul>
 * <li><b>Jobs</b> (AssignProcessToJobObject, "Nested Jobs"): a process created by a process in jobs joins all of
 * them; CREATE_BREAKAWAY_FROM_JOB needs BREAKAWAY_OK on the immediate job (else ERROR_ACCESS_DENIED) and leaves
 * jobs up the chain while they allow it; a process already in a job can join another only if that job is empty
 * or in its hierarchy, and only if neither that job nor any job it is in sets UI limits (else ERROR_ACCESS_DENIED).
 * PROC_THREAD_ATTRIBUTE_JOB_LIST follows the same rule at creation.</li>
 * <li><b>Mandatory integrity</b>: objects carry labels; an unlabeled object counts as Medium; a label with
 * inheritance covers the folder's descendants; a token below an object's label cannot write it (no-write-up),
 * whatever the DACL says. See {@link #canWrite}.</li>
 * <li><b>CreateProcessWithLogonW</b>: the command line is at most 1024 characters (else ERROR_INVALID_PARAMETER);
 * it takes no handle list, so the new process inherits every handle of the caller that is inheritable at that
 * moment; it runs in the caller's session and (created with the caller as parent) in the caller's jobs.</li>
 * <li><b>Sessions</b>: every process is in its creator's session; the launcher's is {@link #launcherSession}.</li>
 * <li><b>Job limits</b>: joining a job whose active-process limit is reached fails (the process is terminated);
 * closing the last handle of a KILL_ON_JOB_CLOSE job kills every process in it, nested jobs included.</li>
 * </ul>
 */
public class RecordingWin32 implements Win32 {

    /**
     * What a token made by the fake is: whose, for which session, and whether it is only good for identification
     * (an S4U logon by a caller without SeTcbPrivilege). Restricted copies keep all three. A process created with a
     * token lands in the token's session, as that token's user; CreateProcessAsUserW refuses an identification token.
     */
    public record TokenFacts(Sid user, int session, boolean identificationOnly) {}

    public final Map<Handle, TokenFacts> tokenFacts = new LinkedHashMap<>();
    /** ERROR_BAD_IMPERSONATION_LEVEL. */
    public static final int ERROR_BAD_IMPERSONATION_LEVEL = 1346;

    /** A job object: its limits, UI restrictions and the processes in it, shared by fakes of different processes. */
    public static final class FakeJob {
        final String name;
        JobLimits limits = new JobLimits(0, 0, 0, 0, 0, java.util.OptionalInt.empty());
        int ui;
        final Set<Object> members = new HashSet<>();
        /** Its last handle was closed with KILL_ON_JOB_CLOSE: every process in it (nested ones too) is dead. */
        boolean killedOnClose;

        FakeJob(String name) {
            this.name = name;
        }

        boolean allowsBreakaway() {
            return limits.breakawayAllowed();
        }

        @Override
        public String toString() {
            return "job " + name;
        }
    }

    static FakeJob hostJob(boolean breakawayOk, int ui) {
        FakeJob job = new FakeJob("host");
        job.limits = new JobLimits(breakawayOk ? JobLimits.LIMIT_BREAKAWAY_OK : 0, 0, 0, 0, 0, java.util.OptionalInt.empty());
        job.ui = ui;
        return job;
    }

    /** The jobs this fake's own process (the launcher) is in, outermost first. */
    List<FakeJob> launcherJobs = new ArrayList<>();
    public int launcherSession = 1;
    final Map<Handle, FakeJob> jobs = new LinkedHashMap<>();
    /** Job chain (outermost first) of each process this fake created. */
    final Map<Handle, List<FakeJob>> chains = new LinkedHashMap<>();
    public final Map<Handle, Integer> sessions = new LinkedHashMap<>();
    final Map<Handle, Set<Handle>> inheritedBy = new LinkedHashMap<>();
    public final Map<Handle, Sid> users = new LinkedHashMap<>();
    List<Handle> jobList;
    /** Explicit mandatory labels: lower-case path -> {rid, inheritance}. */
    final Map<String, int[]> labels = new LinkedHashMap<>();

    public final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    public final Map<Handle, String> open = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final Set<Handle> inheritable = new HashSet<>();
    final Set<Handle> everCreated = java.util.Collections.synchronizedSet(new HashSet<>());
    public final List<Handle> terminatedProcesses = new ArrayList<>();
    public final List<Handle> resumedThreads = new ArrayList<>();
    public final Map<Handle, JobLimits> jobLimits = new LinkedHashMap<>();
    final Map<Handle, Integer> uiRestrictions = new LinkedHashMap<>();
    public List<Handle> handleList;
    public Sid securityCapabilitiesSid;
    public List<Sid> securityCapabilities;
    String windowStation = "WinSta0";
    Startup startup;
    Optional<Handle> createToken;
    int createFlags;
    String createApplication;
    public String createCommandLine;
    String createEnvironment;
    String createDirectory;
    String desktopSddl;
    public Handle createdProcess;
    public Handle createdThread;
    public final Map<Handle, Integer> exitCodes = new LinkedHashMap<>();

    /** Call name -> error code to fail with. */
    public final Map<String, Integer> failures = new LinkedHashMap<>();

    // What the child's token reports; each can be set to lie.
    boolean childIsAppContainer = true;
    Optional<Sid> childAppContainerSid;
    Sid childIntegrity = Sid.integrity(0x1000);
    List<Group> childCapabilities;
    List<Group> childGroups = List.of(new Group(Sid.ADMINISTRATORS, SE_GROUP_USE_FOR_DENY_ONLY), new Group(Sid.USERS, 7));
    List<Long> childPrivileges = List.of(SE_CHANGE_NOTIFY_PRIVILEGE);
    /** Set false to make IsProcessInJob lie (a child that is not in its job). */
    boolean childInJob = true;
    int suspendCountBeforeResume = 1;
    public Sid ownUser = Sid.parse("S-1-5-21-1-2-3-1000");
    Sid appContainerSidGiven;

    boolean stdInheritable = true;
    private long next = 0x100;
    private Handle childTokenHandle;
    private final Map<Handle, Handle> tokenOwner = new LinkedHashMap<>();

    /** Takes a handle made elsewhere in the fake world (a named pipe end, a logon token) into this process's table. */
    protected void adopt(Handle h, String what) {
        open.put(h, what);
        everCreated.add(h);
    }

    private synchronized Handle handle(String what) {
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

    /**
     * The calls so far, by name. Traversed under the list's own lock: in the broker tests a session thread goes on
     * recording calls (its wait loop, the handles a refused session closes) while the test reads them, and a
     * synchronized list's stream is not synchronized (ConcurrentModificationException).
     */
    public List<String> callNames() {
        synchronized (calls) {
            return calls.stream().map(c -> c.contains("(") ? c.substring(0, c.indexOf('(')) : c).toList();
        }
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
        if (open.putIfAbsent(h, "std " + which) == null && stdInheritable) {
            // Stdio a process was given is inheritable in it: that is how it was handed over.
            inheritable.add(h);
        }
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
        FakeJob job = jobs.get(handle);
        if (job != null && job.limits.killOnClose()) {
            job.killedOnClose = true;
        }
    }

    @Override
    public Handle openProcessToken(Handle process, int access) {
        call("openProcessToken", process, "0x" + Integer.toHexString(access));
        Handle token = handle("token of " + process);
        if (process.equals(createdProcess)) {
            childTokenHandle = token;
        }
        tokenOwner.put(token, process);
        return token;
    }

    @Override
    public Handle createRestrictedToken(Handle token, int flags, List<Sid> denyOnly, List<Sid> restricting) {
        call("createRestrictedToken", token, flags, denyOnly, restricting);
        requireOpen(token);
        Handle restricted = handle("restricted token");
        if (tokenFacts.containsKey(token)) {
            tokenFacts.put(restricted, tokenFacts.get(token));
        }
        return restricted;
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
        if (tokenFacts.containsKey(token)) {
            return tokenFacts.get(token).user();
        }
        Handle owner = tokenOwner.get(token);
        return owner != null && users.containsKey(owner) ? users.get(owner) : ownUser;
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
        Handle h = handle("job");
        jobs.put(h, new FakeJob("created " + h));
        return h;
    }

    @Override
    public void setExtendedLimits(Handle job, JobLimits limits) {
        call("setExtendedLimits", job, "0x" + Integer.toHexString(limits.limitFlags()));
        requireOpen(job);
        jobLimits.put(job, limits);
        jobs.get(job).limits = limits;
    }

    @Override
    public void setUiRestrictions(Handle job, int restrictions) {
        call("setUiRestrictions", job, "0x" + Integer.toHexString(restrictions));
        requireOpen(job);
        uiRestrictions.put(job, restrictions);
        jobs.get(job).ui = restrictions;
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
        join(process, jobs.get(job), "AssignProcessToJobObject");
    }

    /** The documented nesting rule; throws ERROR_ACCESS_DENIED where Windows does. */
    private void join(Handle process, FakeJob job, String function) {
        List<FakeJob> chain = chains.computeIfAbsent(process, p -> new ArrayList<>());
        if (chain.contains(job)) {
            return;
        }
        if (!chain.isEmpty()) {
            if (job.ui != 0 || chain.stream().anyMatch(j -> j.ui != 0)) {
                throw new Win32CallException(function, Win32CallException.ERROR_ACCESS_DENIED,
                        "injected by rule: a process already in a job cannot join a job hierarchy where a job sets UI"
                                + " limits (in " + chain + ", joining " + job + " with UI 0x" + Integer.toHexString(job.ui) + ")");
            }
            if (!job.members.isEmpty()) {
                throw new Win32CallException(function, Win32CallException.ERROR_ACCESS_DENIED,
                        "injected by rule: a non-empty job outside the process's hierarchy");
            }
        }
        if ((job.limits.limitFlags() & JobLimits.LIMIT_ACTIVE_PROCESS) != 0
                && job.members.size() >= job.limits.activeProcessLimit()) {
            exitCodes.put(process, 1816);
            throw new Win32CallException(function, 1816, "injected by rule: the job's active process limit is reached;"
                    + " the process was terminated");
        }
        chain.add(job);
        job.members.add(process);
    }

    /** Dead: exited, terminated, or in a job whose kill-on-close fired. */
    public boolean isDead(Handle process) {
        return exitCodes.getOrDefault(process, STILL_ACTIVE) != STILL_ACTIVE
                || chainOf(process).stream().anyMatch(j -> j.killedOnClose);
    }

    public List<FakeJob> chainOf(Handle process) {
        return chains.getOrDefault(process, List.of());
    }

    @Override
    public boolean isProcessInJob(Handle process, Handle job) {
        call("isProcessInJob", process, job);
        return childInJob && chainOf(process).contains(jobs.get(job));
    }

    @Override
    public boolean isProcessInAnyJob(Handle process) {
        call("isProcessInAnyJob", process);
        return process.value() == -1 ? !launcherJobs.isEmpty() : !chainOf(process).isEmpty();
    }

    @Override
    public int processSessionId(Handle process) {
        call("processSessionId", process);
        return process.value() == -1 ? launcherSession : sessions.getOrDefault(process, launcherSession);
    }

    @Override
    public void terminateJob(Handle job, int exitCode) {
        call("terminateJob", job, exitCode);
        chains.forEach((p, chain) -> {
            if (chain.contains(jobs.get(job))) {
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
    public void setJobList(AttributeList list, List<Handle> jobHandles) {
        call("setJobList", jobHandles);
        jobHandles.forEach(this::requireOpen);
        jobList = jobHandles;
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
        TokenFacts facts = token.map(tokenFacts::get).orElse(null);
        if (facts != null && facts.identificationOnly()) {
            throw new Win32CallException("CreateProcessAsUserW", ERROR_BAD_IMPERSONATION_LEVEL, "injected by rule: an"
                    + " S4U token obtained without SeTcbPrivilege is an identification token and starts no process");
        }
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
        List<FakeJob> chain = bornChain(flags, "CreateProcessAsUserW");
        if (handleList != null && !inheritable.containsAll(handleList)) {
            throw new Win32CallException("CreateProcessAsUserW", Win32CallException.ERROR_INVALID_PARAMETER,
                    "injected by rule: a handle in PROC_THREAD_ATTRIBUTE_HANDLE_LIST is not inheritable");
        }
        createdProcess = handle("child process");
        createdThread = handle("child thread");
        chains.put(createdProcess, chain);
        chain.forEach(j -> j.members.add(createdProcess));
        if (jobList != null) {
            try {
                for (Handle j : jobList) {
                    join(createdProcess, jobs.get(j), "CreateProcessAsUserW(JOB_LIST)");
                }
            } catch (Win32CallException e) {
                // The process is never created when a listed job cannot take it.
                chains.remove(createdProcess);
                open.remove(createdProcess);
                open.remove(createdThread);
                createdProcess = null;
                throw e;
            }
        }
        // A process lands in its token's session: a service's own (restricted) token keeps it in session 0.
        sessions.put(createdProcess, facts != null ? facts.session() : launcherSession);
        if (facts != null) {
            users.put(createdProcess, facts.user());
        }
        inheritedBy.put(createdProcess, new HashSet<>(handleList != null ? handleList : inheritable));
        exitCodes.put(createdProcess, STILL_ACTIVE);
        return new CreatedProcess(createdProcess, createdThread, 4242, 4243);
    }

    /** Implicit association at creation, with breakaway as documented. */
    private List<FakeJob> bornChain(int flags, String function) {
        List<FakeJob> chain = new ArrayList<>(launcherJobs);
        if ((flags & CREATE_BREAKAWAY_FROM_JOB) != 0 && !chain.isEmpty()) {
            if (!chain.get(chain.size() - 1).allowsBreakaway()) {
                throw new Win32CallException(function, Win32CallException.ERROR_ACCESS_DENIED,
                        "injected by rule: CREATE_BREAKAWAY_FROM_JOB from a job without BREAKAWAY_OK");
            }
            while (!chain.isEmpty() && chain.get(chain.size() - 1).allowsBreakaway()) {
                chain.remove(chain.size() - 1);
            }
        }
        return chain;
    }

    /** The handles the inner launcher (or server) received by inheritance. */
    Set<Handle> inherited(Handle process) {
        return inheritedBy.getOrDefault(process, Set.of());
    }

    Sid logonSid = Sid.parse("S-1-5-21-7-7-7-1001");
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
        if (commandLine.length() > LOGON_COMMAND_LINE_MAX) {
            throw new Win32CallException("CreateProcessWithLogonW", Win32CallException.ERROR_INVALID_PARAMETER,
                    "injected by rule: the command line has " + commandLine.length() + " characters, more than 1024");
        }
        List<FakeJob> chain = bornChain(flags, "CreateProcessWithLogonW");
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
        chains.put(createdProcess, chain);
        chain.forEach(j -> j.members.add(createdProcess));
        sessions.put(createdProcess, launcherSession);
        users.put(createdProcess, logonSid);
        inheritedBy.put(createdProcess, new HashSet<>(inheritable));
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

    public final List<AceSpec> aces = new ArrayList<>();
    final Set<String> missingFunctions = new HashSet<>();

    @Override
    public void addAce(AceSpec ace) {
        call("addAce", ace.path());
        if (dropNextAce) {
            dropNextAce = false;
            return;
        }
        aces.add(ace);
    }

    /** Paths that behave as deleted. */
    public final Set<String> missingPaths = new HashSet<>();
    /** When set, addAce "succeeds" without changing anything (a crash or a lost write, for the ledger's checks). */
    public boolean dropNextAce;

    @Override
    public boolean revokeAces(String path, Sid trustee) {
        call("revokeAces", path);
        if (missingPaths.contains(path.toLowerCase(java.util.Locale.ROOT))) {
            return false;
        }
        aces.removeIf(a -> a.path().equalsIgnoreCase(path) && a.trustee().equals(trustee));
        return true;
    }

    @Override
    public boolean hasAce(AceSpec ace) {
        call("hasAce", ace.path());
        return aces.stream().anyMatch(a -> a.sameTarget(ace) && a.deny() == ace.deny()
                && (a.accessMask() & ace.accessMask()) == ace.accessMask() && a.inheritance() == ace.inheritance());
    }

    @Override
    public void setMandatoryLabel(String path, int rid, int inheritance) {
        call("setMandatoryLabel", path, "0x" + Integer.toHexString(rid));
        labels.put(norm(path), new int[] {rid, inheritance});
    }

    @Override
    public boolean removeMandatoryLabel(String path) {
        call("removeMandatoryLabel", path);
        return labels.remove(norm(path)) != null || !missingPaths.contains(path.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public int mandatoryLabel(String path) {
        call("mandatoryLabel", path);
        int[] label = labels.get(norm(path));
        return label == null ? -1 : label[0];
    }

    /** The label that applies to {@code path}: its own, else the nearest inheritable one above, else Medium. */
    public int effectiveLabel(String path) {
        String p = norm(path);
        int[] own = labels.get(p);
        if (own != null) {
            return own[0];
        }
        for (String parent = parent(p); parent != null; parent = parent(parent)) {
            int[] label = labels.get(parent);
            if (label != null && label[1] != 0) {
                return label[0];
            }
        }
        return SECURITY_MANDATORY_MEDIUM_RID;
    }

    /**
     * The access check for a write by a token of integrity {@code tokenRid} holding {@code sids} (for an
     * AppContainer token, every listed SID must be granted: the user's side and the package's side): the mandatory
     * check first (no write up), then each SID needs an allow entry with write rights on the path or an inheritable
     * one above it, and no deny entry with write rights on either.
     */
    public boolean canWrite(String path, int tokenRid, List<Sid> sids) {
        if (tokenRid < effectiveLabel(path)) {
            return false;
        }
        String p = norm(path);
        for (Sid sid : sids) {
            boolean allowed = false;
            for (AceSpec a : aces) {
                String target = norm(a.path());
                boolean applies = target.equals(p) || (a.inheritance() != 0 && p.startsWith(target + "/"));
                if (!applies || !a.trustee().equals(sid)) {
                    continue;
                }
                if (a.deny() && (a.accessMask() & AceSpec.WRITE_RIGHTS & 0x2) != 0) {
                    return false;
                }
                allowed |= !a.deny() && (a.accessMask() & 0x2) != 0;
            }
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    private static String norm(String path) {
        String p = path.replace('\\', '/').toLowerCase(java.util.Locale.ROOT);
        return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }

    private static String parent(String p) {
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? null : p.substring(0, slash);
    }

    final List<String> deletedProfiles = new ArrayList<>();

    @Override
    public void deleteAppContainerProfile(String name) {
        call("deleteAppContainerProfile", name);
        deletedProfiles.add(name);
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
