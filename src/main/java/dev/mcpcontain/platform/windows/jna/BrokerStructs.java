package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** Structures of the broker: the S4U logon (secur32) and the service's own entry points and status (advapi32). */
public final class BrokerStructs {

    private BrokerStructs() {}

    /** x64: 16 bytes; an ANSI counted string (package and origin names). */
    @FieldOrder({"Length", "MaximumLength", "Buffer"})
    public static class LSA_STRING extends Structure {
        public short Length;
        public short MaximumLength;
        public Pointer Buffer;
    }

    /** x64: 16 bytes; lengths in bytes, without the terminating NUL. */
    @FieldOrder({"Length", "MaximumLength", "Buffer"})
    public static class UNICODE_STRING extends Structure {
        public short Length;
        public short MaximumLength;
        public Pointer Buffer;
    }

    /**
     * x64: 40 bytes. LsaLogonUser takes it in one buffer with the two strings right after it, the UNICODE_STRING
     * pointers pointing into that same buffer.
     */
    @FieldOrder({"MessageType", "Flags", "UserPrincipalName", "DomainName"})
    public static class MSV1_0_S4U_LOGON extends Structure {
        /** MsV1_0S4ULogon. */
        public static final int MS_V1_0_S4U_LOGON = 12;
        public int MessageType;
        public int Flags;
        public UNICODE_STRING UserPrincipalName = new UNICODE_STRING();
        public UNICODE_STRING DomainName = new UNICODE_STRING();

        public MSV1_0_S4U_LOGON() {}

        public MSV1_0_S4U_LOGON(Pointer p) {
            super(p);
        }
    }

    /** x64: 8 bytes. */
    @FieldOrder({"LowPart", "HighPart"})
    public static class LUID extends Structure {
        public int LowPart;
        public int HighPart;
    }

    /** x64: 16 bytes; eight ANSI characters naming the logon's source, and a locally unique id. */
    @FieldOrder({"SourceName", "SourceIdentifier"})
    public static class TOKEN_SOURCE extends Structure {
        public byte[] SourceName = new byte[8];
        public LUID SourceIdentifier = new LUID();
    }

    /** x64: 48 bytes; filled by LsaLogonUser, unused. */
    @FieldOrder({"PagedPoolLimit", "NonPagedPoolLimit", "MinimumWorkingSetSize", "MaximumWorkingSetSize",
            "PagefileLimit", "TimeLimit"})
    public static class QUOTA_LIMITS extends Structure {
        public long PagedPoolLimit;
        public long NonPagedPoolLimit;
        public long MinimumWorkingSetSize;
        public long MaximumWorkingSetSize;
        public long PagefileLimit;
        public long TimeLimit;
    }

    /** x64: 28 bytes; seven DWORDs. */
    @FieldOrder({"dwServiceType", "dwCurrentState", "dwControlsAccepted", "dwWin32ExitCode",
            "dwServiceSpecificExitCode", "dwCheckPoint", "dwWaitHint"})
    public static class SERVICE_STATUS extends Structure {
        /** SERVICE_WIN32_OWN_PROCESS. */
        public static final int SERVICE_WIN32_OWN_PROCESS = 0x10;
        public int dwServiceType;
        public int dwCurrentState;
        public int dwControlsAccepted;
        public int dwWin32ExitCode;
        public int dwServiceSpecificExitCode;
        public int dwCheckPoint;
        public int dwWaitHint;
    }

    /** LPSERVICE_MAIN_FUNCTIONW. */
    public interface ServiceMainFunction extends Callback {
        void invoke(int argc, Pointer argv);
    }

    /** LPHANDLER_FUNCTION_EX; returns NO_ERROR, or ERROR_CALL_NOT_IMPLEMENTED for controls not handled. */
    public interface HandlerFunctionEx extends Callback {
        int invoke(int control, int eventType, Pointer eventData, Pointer context);
    }

    /**
     * x64: 16 bytes. The dispatcher takes an array terminated by an entry of two NULLs; the name is a UTF-16 buffer the
     * caller keeps alive, the procedure a callback kept reachable for as long as the dispatcher runs.
     */
    @FieldOrder({"lpServiceName", "lpServiceProc"})
    public static class SERVICE_TABLE_ENTRYW extends Structure {
        public Pointer lpServiceName;
        public Pointer lpServiceProc;
    }
}
