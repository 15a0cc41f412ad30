package dev.mcpcontain.platform.windows;

import dev.mcpcontain.platform.windows.acl.AceSpec;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.plan.JobLimits;
import java.util.List;
import java.util.Optional;

/**
 * Every Windows call the backend makes, one method per call (or per information class), with Java types. The
 * launch sequence runs against this interface: {@code jna.JnaWin32} implements it on Windows, and the tests run
 * the same sequence against a recording fake that injects failures. Every method throws
 * {@link Win32CallException} when the call fails; none returns an error code.
 */
public interface Win32 extends HandleIo {

    /** A kernel handle's value; {@code 0} is never a valid one here. */
    record Handle(long value) {
        @Override
        public String toString() {
            return "0x" + Long.toHexString(value);
        }
    }

    record Pipe(Handle read, Handle write) {}

    record CreatedProcess(Handle process, Handle thread, int processId, int threadId) {}

    record Group(Sid sid, int attributes) {}

    /** An initialised PROC_THREAD_ATTRIBUTE_LIST; the JNA side keeps its memory and values reachable. */
    record AttributeList(long id) {}

    /**
     * What goes into STARTUPINFOEXW: STARTF_USESTDHANDLES with the three handles, the desktop, the list.
     *
     * @param desktop {@code winsta\desktop}, never null (an empty desktop means the parent's)
     */
    record Startup(String desktop, Handle stdin, Handle stdout, Handle stderr, AttributeList attributes) {}

    int STD_INPUT = -10;
    int STD_OUTPUT = -11;
    int STD_ERROR = -12;

    int TOKEN_ALL_ACCESS = 0x000F01FF;
    int TOKEN_QUERY = 0x0008;

    int DISABLE_MAX_PRIVILEGE = 0x1;
    int SECURITY_MANDATORY_LOW_RID = 0x1000;
    int SECURITY_MANDATORY_MEDIUM_RID = 0x2000;

    int SE_GROUP_ENABLED = 0x4;
    int SE_GROUP_USE_FOR_DENY_ONLY = 0x10;
    /** The one privilege DISABLE_MAX_PRIVILEGE keeps (bypass traverse checking); its well-known LUID. */
    long SE_CHANGE_NOTIFY_PRIVILEGE = 23;

    int CREATE_SUSPENDED = 0x00000004;
    int CREATE_UNICODE_ENVIRONMENT = 0x00000400;
    int CREATE_BREAKAWAY_FROM_JOB = 0x01000000;
    int EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
    int CREATE_NO_WINDOW = 0x08000000;

    /** CreateProcessWithLogonW: "The maximum length of this string is 1024 characters." */
    int LOGON_COMMAND_LINE_MAX = 1024;

    // Process and handles

    Handle currentProcess();

    Handle stdHandle(int which);

    /** DuplicateHandle within this process; the copy is inheritable or not as asked. */
    Handle duplicate(Handle handle, boolean inheritable);

    /** CreatePipe with no security attributes: both ends non-inheritable. */
    Pipe createPipe();

    void setInheritable(Handle handle, boolean inheritable);

    void closeHandle(Handle handle);

    // Tokens

    Handle openProcessToken(Handle process, int access);

    Handle createRestrictedToken(Handle token, int flags, List<Sid> denyOnly, List<Sid> restricting);

    void setIntegrityLevel(Handle token, Sid label);

    Sid tokenUser(Handle token);

    boolean tokenIsAppContainer(Handle token);

    Optional<Sid> tokenAppContainerSid(Handle token);

    Sid tokenIntegrityLevel(Handle token);

    List<Group> tokenGroups(Handle token);

    List<Group> tokenCapabilities(Handle token);

    /** LUIDs of the privileges present in the token, enabled or not. */
    List<Long> tokenPrivileges(Handle token);

    boolean isTokenRestricted(Handle token);

    // AppContainer profiles

    /** CreateAppContainerProfile; an existing profile of that name is not an error and yields its SID. */
    Sid createAppContainerProfile(String name, String displayName, String description, List<Sid> capabilities);

    /** DeleteAppContainerProfile; a profile that does not exist is not an error. */
    void deleteAppContainerProfile(String name);

    // Job objects

    Handle createJobObject();

    void setExtendedLimits(Handle job, JobLimits limits);

    void setUiRestrictions(Handle job, int restrictions);

    void setCpuRateHardCap(Handle job, int rate);

    void assignProcessToJob(Handle job, Handle process);

    boolean isProcessInJob(Handle process, Handle job);

    /**
     * IsProcessInJob(process, NULL): whether the process is in any job at all. A process that is already in a job
     * can join another only as a nested job, and Windows refuses the nesting when either job sets UI limits.
     */
    boolean isProcessInAnyJob(Handle process);

    /** ProcessIdToSessionId of the process behind the handle (0 is the services session). */
    int processSessionId(Handle process);

    void terminateJob(Handle job, int exitCode);

    // Window station and desktop

    Handle processWindowStation();

    Handle createWindowStation(String name, String sddl);

    void setProcessWindowStation(Handle windowStation);

    /** Created in the process's current window station. */
    Handle createDesktop(String name, String sddl);

    // Process creation

    AttributeList createAttributeList(int count);

    /** PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the only handles the child inherits. */
    void setHandleList(AttributeList list, List<Handle> handles);

    /**
     * PROC_THREAD_ATTRIBUTE_JOB_LIST: the child is created inside the job, so no suspended process ever exists
     * outside it (no orphan if the launcher dies before AssignProcessToJobObject).
     */
    void setJobList(AttributeList list, List<Handle> jobs);

    /** PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES, capabilities with SE_GROUP_ENABLED. */
    void setSecurityCapabilities(AttributeList list, Sid appContainer, List<Sid> capabilities);

    void deleteAttributeList(AttributeList list);

    /**
     * CreateProcessAsUserW with {@code bInheritHandles = TRUE} (required for the handle list), or CreateProcessW
     * when {@code token} is empty.
     */
    CreatedProcess createProcess(Optional<Handle> token, String application, String commandLine, int flags,
            String environmentBlock, String currentDirectory, Startup startup);

    /**
     * CreateProcessWithLogonW with LOGON_WITH_PROFILE: starts {@code application} as another local account, with
     * the three handles as its stdio and on {@code desktop}. It takes no attribute list, so the process it starts
     * is the inner launcher, which then applies the containment as that account.
     */
    CreatedProcess createProcessWithLogon(String userName, char[] password, String application, String commandLine,
            int flags, String environmentBlock, String currentDirectory, String desktop, Handle stdin, Handle stdout,
            Handle stderr);

    /** ResumeThread; returns the previous suspend count. */
    int resumeThread(Handle thread);

    void terminateProcess(Handle process, int exitCode);

    /** WaitForSingleObject; true when signalled, false on timeout. */
    boolean waitFor(Handle object, long millis);

    /** GetExitCodeProcess; {@link #STILL_ACTIVE} while running. */
    int exitCode(Handle process);

    int STILL_ACTIVE = 259;

    // Folder ACLs

    /** GetNamedSecurityInfoW, SetEntriesInAclW (GRANT_ACCESS or DENY_ACCESS), SetNamedSecurityInfoW. */
    void addAce(AceSpec ace);

    /** The same with REVOKE_ACCESS; false when the object does not exist. */
    boolean revokeAces(String path, Sid trustee);

    /**
     * Reads the object's DACL back (GetNamedSecurityInfoW) and says whether it holds an explicit entry of this
     * type, trustee, access mask and inheritance. The ledger never trusts its own record: it asks this.
     */
    boolean hasAce(AceSpec ace);

    /**
     * Puts a mandatory label ACE (SYSTEM_MANDATORY_LABEL_NO_WRITE_UP) of the given integrity RID in the object's SACL
     * (SetNamedSecurityInfoW with LABEL_SECURITY_INFORMATION); {@code inheritance} as for ACEs.
     */
    void setMandatoryLabel(String path, int integrityRid, int inheritance);

    /** Removes the explicit mandatory label; false when the object does not exist. */
    boolean removeMandatoryLabel(String path);

    /** The explicit mandatory label's RID, or -1 when the object has none (it then counts as Medium). */
    int mandatoryLabel(String path);

    // Host probes

    /** Whether {@code library} exports {@code function} on this host. */
    boolean hasFunction(String library, String function);

    // Pipe I/O

    /** ReadFile; -1 at end of stream (the writer closed: ERROR_BROKEN_PIPE). */
    int read(Handle handle, byte[] buffer, int offset, int length);

    void write(Handle handle, byte[] buffer, int offset, int length);
}
