package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * Process creation structures, declared here rather than taken from jna-platform: its STARTUPINFO cannot be
 * extended to STARTUPINFOEXW and default-constructs {@code lpReserved2} non-null.
 */
public final class ProcessStructs {

    private ProcessStructs() {}

    /** x64: 104 bytes. */
    @FieldOrder({"cb", "lpReserved", "lpDesktop", "lpTitle", "dwX", "dwY", "dwXSize", "dwYSize", "dwXCountChars",
            "dwYCountChars", "dwFillAttribute", "dwFlags", "wShowWindow", "cbReserved2", "lpReserved2", "hStdInput",
            "hStdOutput", "hStdError"})
    public static class STARTUPINFOW extends Structure {
        public int cb;
        public Pointer lpReserved;
        public Pointer lpDesktop;
        public Pointer lpTitle;
        public int dwX;
        public int dwY;
        public int dwXSize;
        public int dwYSize;
        public int dwXCountChars;
        public int dwYCountChars;
        public int dwFillAttribute;
        public int dwFlags;
        public short wShowWindow;
        public short cbReserved2;
        public Pointer lpReserved2;
        public Pointer hStdInput;
        public Pointer hStdOutput;
        public Pointer hStdError;
    }

    /** x64: 112 bytes; {@code StartupInfo.cb} must be 112 for EXTENDED_STARTUPINFO_PRESENT. */
    @FieldOrder({"StartupInfo", "lpAttributeList"})
    public static class STARTUPINFOEXW extends Structure {
        public STARTUPINFOW StartupInfo = new STARTUPINFOW();
        public Pointer lpAttributeList;
    }

    /** x64: 24 bytes. */
    @FieldOrder({"hProcess", "hThread", "dwProcessId", "dwThreadId"})
    public static class PROCESS_INFORMATION extends Structure {
        public Pointer hProcess;
        public Pointer hThread;
        public int dwProcessId;
        public int dwThreadId;
    }

    /** x64: 24 bytes. */
    @FieldOrder({"nLength", "lpSecurityDescriptor", "bInheritHandle"})
    public static class SECURITY_ATTRIBUTES extends Structure {
        public int nLength;
        public Pointer lpSecurityDescriptor;
        /** BOOL */
        public int bInheritHandle;
    }
}
