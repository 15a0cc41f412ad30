package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * kernel32 calls, declared with exact export names (W suffix included) and Pointer handles, so that no type mapper
 * decides anything. BOOL results are Java booleans (JNA maps them to a 32-bit int).
 */
public interface Kernel32Ex extends Library {

    Kernel32Ex INSTANCE = Native.load("kernel32", Kernel32Ex.class);

    Pointer GetCurrentProcess();

    Pointer GetStdHandle(int which);

    boolean DuplicateHandle(Pointer sourceProcess, Pointer source, Pointer targetProcess, PointerByReference target,
            int desiredAccess, boolean inheritHandle, int options);

    boolean CreatePipe(PointerByReference read, PointerByReference write, Pointer securityAttributes, int size);

    boolean SetHandleInformation(Pointer handle, int mask, int flags);

    boolean CloseHandle(Pointer handle);

    Pointer CreateJobObjectW(Pointer securityAttributes, WString name);

    boolean SetInformationJobObject(Pointer job, int infoClass, Pointer info, int length);

    boolean AssignProcessToJobObject(Pointer job, Pointer process);

    boolean IsProcessInJob(Pointer process, Pointer job, IntByReference result);

    boolean TerminateJobObject(Pointer job, int exitCode);

    /** lpSize is a SIZE_T*: 8 bytes on x64. */
    boolean InitializeProcThreadAttributeList(Pointer list, int attributeCount, int flags, LongByReference size);

    /** Attribute is a DWORD_PTR and cbSize a SIZE_T: both 8 bytes on x64. */
    boolean UpdateProcThreadAttribute(Pointer list, int flags, long attribute, Pointer value, long size,
            Pointer previousValue, Pointer returnSize);

    void DeleteProcThreadAttributeList(Pointer list);

    /** lpCommandLine must be writable: a NUL-terminated char[]. */
    boolean CreateProcessW(WString application, char[] commandLine, Pointer processAttributes,
            Pointer threadAttributes, boolean inheritHandles, int creationFlags, Pointer environment,
            WString currentDirectory, ProcessStructs.STARTUPINFOEXW startupInfo,
            ProcessStructs.PROCESS_INFORMATION processInformation);

    int ResumeThread(Pointer thread);

    boolean TerminateProcess(Pointer process, int exitCode);

    int WaitForSingleObject(Pointer handle, int milliseconds);

    boolean GetExitCodeProcess(Pointer process, IntByReference exitCode);

    boolean ReadFile(Pointer file, byte[] buffer, int toRead, IntByReference read, Pointer overlapped);

    boolean WriteFile(Pointer file, byte[] buffer, int toWrite, IntByReference written, Pointer overlapped);

    Pointer LocalFree(Pointer memory);

    int GetProcessId(Pointer process);

    boolean ProcessIdToSessionId(int processId, IntByReference sessionId);
}
