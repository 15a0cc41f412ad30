package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/** advapi32 calls jna-platform lacks or declares with STARTUPINFO and a String environment. */
public interface Advapi32Ex extends Library {

    Advapi32Ex INSTANCE = Native.load("advapi32", Advapi32Ex.class);

    boolean OpenProcessToken(Pointer process, int desiredAccess, PointerByReference token);

    boolean CreateRestrictedToken(Pointer existingToken, int flags, int disableSidCount, Pointer sidsToDisable,
            int deletePrivilegeCount, Pointer privilegesToDelete, int restrictedSidCount, Pointer sidsToRestrict,
            PointerByReference newToken);

    boolean SetTokenInformation(Pointer token, int infoClass, Pointer info, int length);

    boolean GetTokenInformation(Pointer token, int infoClass, Pointer info, int length, IntByReference returnLength);

    boolean IsTokenRestricted(Pointer token);

    /** Returns a Win32 error code (0 = success), not a BOOL. */
    int GetNamedSecurityInfoW(WString objectName, int objectType, int securityInfo, PointerByReference owner,
            PointerByReference group, PointerByReference dacl, PointerByReference sacl,
            PointerByReference securityDescriptor);

    int SetEntriesInAclW(int count, AclStructs.EXPLICIT_ACCESS_W entries, Pointer oldAcl, PointerByReference newAcl);

    int SetNamedSecurityInfoW(WString objectName, int objectType, int securityInfo, Pointer owner, Pointer group,
            Pointer dacl, Pointer sacl);

    boolean ConvertStringSecurityDescriptorToSecurityDescriptorW(WString sddl, int revision,
            PointerByReference securityDescriptor, IntByReference size);

    boolean CreateProcessAsUserW(Pointer token, WString application, char[] commandLine, Pointer processAttributes,
            Pointer threadAttributes, boolean inheritHandles, int creationFlags, Pointer environment,
            WString currentDirectory, ProcessStructs.STARTUPINFOEXW startupInfo,
            ProcessStructs.PROCESS_INFORMATION processInformation);

    Pointer FreeSid(Pointer sid);

    boolean GetSecurityDescriptorSacl(Pointer securityDescriptor, IntByReference present, PointerByReference sacl,
            IntByReference defaulted);

    /** Takes a STARTUPINFOW (no attribute list); the password is a NUL-terminated char[] so it can be wiped. */
    boolean CreateProcessWithLogonW(WString userName, WString domain, char[] password, int logonFlags,
            WString application, char[] commandLine, int creationFlags, Pointer environment, WString currentDirectory,
            ProcessStructs.STARTUPINFOW startupInfo, ProcessStructs.PROCESS_INFORMATION processInformation);
}
