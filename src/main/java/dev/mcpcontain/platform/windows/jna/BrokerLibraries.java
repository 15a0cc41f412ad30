package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The broker's calls, declared with exact export names and fixed-width types (ULONG parameters as int, handles as
 * Pointer): jna-platform's versions take WinDef.ULONGByReference, sized from the host.
 */
public final class BrokerLibraries {

    private BrokerLibraries() {}

    /** Named pipes, processes and the computer name (kernel32). */
    public interface Kernel32Pipes extends Library {
        Kernel32Pipes INSTANCE = Native.load("kernel32", Kernel32Pipes.class);

        Pointer CreateNamedPipeW(WString name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
                int inBufferSize, int defaultTimeOut, ProcessStructs.SECURITY_ATTRIBUTES securityAttributes);

        boolean ConnectNamedPipe(Pointer pipe, Pointer overlapped);

        boolean DisconnectNamedPipe(Pointer pipe);

        boolean SetNamedPipeHandleState(Pointer pipe, IntByReference mode, Pointer maxCollectionCount,
                Pointer collectDataTimeout);

        boolean PeekNamedPipe(Pointer pipe, Pointer buffer, int bufferSize, Pointer bytesRead,
                IntByReference totalBytesAvailable, Pointer bytesLeftThisMessage);

        boolean GetNamedPipeClientProcessId(Pointer pipe, IntByReference clientProcessId);

        boolean GetNamedPipeServerProcessId(Pointer pipe, IntByReference serverProcessId);

        boolean WaitNamedPipeW(WString name, int timeOut);

        Pointer CreateFileW(WString name, int desiredAccess, int shareMode, Pointer securityAttributes,
                int creationDisposition, int flagsAndAttributes, Pointer templateFile);

        Pointer OpenProcess(int desiredAccess, boolean inheritHandle, int processId);

        int GetCurrentProcessId();

        Pointer GetCurrentThread();

        boolean GetComputerNameW(char[] buffer, IntByReference size);
    }

    /** The service control manager, the service's status, pipe impersonation (advapi32). */
    public interface Advapi32Service extends Library {
        Advapi32Service INSTANCE = Native.load("advapi32", Advapi32Service.class);

        Pointer OpenSCManagerW(WString machine, WString database, int desiredAccess);

        Pointer CreateServiceW(Pointer manager, WString name, WString displayName, int desiredAccess, int serviceType,
                int startType, int errorControl, WString binaryPath, WString loadOrderGroup, Pointer tagId,
                WString dependencies, WString serviceStartName, WString password);

        Pointer OpenServiceW(Pointer manager, WString name, int desiredAccess);

        boolean ChangeServiceConfigW(Pointer service, int serviceType, int startType, int errorControl,
                WString binaryPath, WString loadOrderGroup, Pointer tagId, WString dependencies,
                WString serviceStartName, WString password, WString displayName);

        boolean SetServiceObjectSecurity(Pointer service, int securityInformation, Pointer securityDescriptor);

        boolean DeleteService(Pointer service);

        boolean StartServiceW(Pointer service, int argc, Pointer argv);

        boolean ControlService(Pointer service, int control, BrokerStructs.SERVICE_STATUS status);

        boolean QueryServiceStatus(Pointer service, BrokerStructs.SERVICE_STATUS status);

        boolean CloseServiceHandle(Pointer handle);

        boolean StartServiceCtrlDispatcherW(Pointer serviceTable);

        Pointer RegisterServiceCtrlHandlerExW(WString name, BrokerStructs.HandlerFunctionEx handler, Pointer context);

        boolean SetServiceStatus(Pointer statusHandle, BrokerStructs.SERVICE_STATUS status);

        boolean ImpersonateNamedPipeClient(Pointer pipe);

        boolean OpenThreadToken(Pointer thread, int desiredAccess, boolean openAsSelf, PointerByReference token);

        boolean RevertToSelf();

        boolean AllocateLocallyUniqueId(BrokerStructs.LUID luid);

        int LsaNtStatusToWinError(int status);

        /** Returns an NTSTATUS. */
        int LsaOpenPolicy(Pointer systemName, Pointer objectAttributes, int desiredAccess, PointerByReference policy);

        /** Returns an NTSTATUS; {@code userRights} is one LSA_UNICODE_STRING here. */
        int LsaAddAccountRights(Pointer policy, Pointer accountSid, BrokerStructs.UNICODE_STRING userRights, int count);

        int LsaClose(Pointer handle);

        /** Returns a Win32 error code (0 = success). */
        int GetSecurityInfo(Pointer handle, int objectType, int securityInfo, PointerByReference owner,
                PointerByReference group, PointerByReference dacl, PointerByReference sacl,
                PointerByReference securityDescriptor);

        boolean GetSecurityDescriptorOwner(Pointer securityDescriptor, PointerByReference owner,
                IntByReference defaulted);

        boolean GetSecurityDescriptorDacl(Pointer securityDescriptor, IntByReference present, PointerByReference dacl,
                IntByReference defaulted);
    }

    /** The LSA logon calls (secur32); every one returns an NTSTATUS. */
    public interface Secur32 extends Library {
        Secur32 INSTANCE = Native.load("secur32", Secur32.class);

        int LsaRegisterLogonProcess(BrokerStructs.LSA_STRING logonProcessName, PointerByReference lsaHandle,
                IntByReference securityMode);

        int LsaLookupAuthenticationPackage(Pointer lsaHandle, BrokerStructs.LSA_STRING packageName,
                IntByReference authenticationPackage);

        int LsaLogonUser(Pointer lsaHandle, BrokerStructs.LSA_STRING originName, int logonType,
                int authenticationPackage, Pointer authenticationInformation, int authenticationInformationLength,
                Pointer localGroups, BrokerStructs.TOKEN_SOURCE sourceContext, PointerByReference profileBuffer,
                IntByReference profileBufferLength, BrokerStructs.LUID logonId, PointerByReference token,
                BrokerStructs.QUOTA_LIMITS quotas, IntByReference subStatus);

        int LsaFreeReturnBuffer(Pointer buffer);

        int LsaDeregisterLogonProcess(Pointer lsaHandle);
    }
}
