package dev.mcpcontain.platform.windows.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** Job object information classes passed to SetInformationJobObject. */
public final class JobObjectStructs {

    private JobObjectStructs() {}

    /** x64: 64 bytes. */
    @FieldOrder({"PerProcessUserTimeLimit", "PerJobUserTimeLimit", "LimitFlags", "MinimumWorkingSetSize",
            "MaximumWorkingSetSize", "ActiveProcessLimit", "Affinity", "PriorityClass", "SchedulingClass"})
    public static class JOBOBJECT_BASIC_LIMIT_INFORMATION extends Structure {
        /** LARGE_INTEGER, 100 ns units. */
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public int LimitFlags;
        /** SIZE_T */
        public long MinimumWorkingSetSize;
        public long MaximumWorkingSetSize;
        public int ActiveProcessLimit;
        /** ULONG_PTR */
        public long Affinity;
        public int PriorityClass;
        public int SchedulingClass;

        public JOBOBJECT_BASIC_LIMIT_INFORMATION() {}

        public JOBOBJECT_BASIC_LIMIT_INFORMATION(Pointer p) {
            super(p);
        }
    }

    /** x64: 48 bytes (six ULONGLONG counters). */
    @FieldOrder({"ReadOperationCount", "WriteOperationCount", "OtherOperationCount", "ReadTransferCount",
            "WriteTransferCount", "OtherTransferCount"})
    public static class IO_COUNTERS extends Structure {
        public long ReadOperationCount;
        public long WriteOperationCount;
        public long OtherOperationCount;
        public long ReadTransferCount;
        public long WriteTransferCount;
        public long OtherTransferCount;
    }

    /** x64: 144 bytes; SetInformationJobObject fails with ERROR_BAD_LENGTH for any other size. */
    @FieldOrder({"BasicLimitInformation", "IoInfo", "ProcessMemoryLimit", "JobMemoryLimit", "PeakProcessMemoryUsed",
            "PeakJobMemoryUsed"})
    public static class JOBOBJECT_EXTENDED_LIMIT_INFORMATION extends Structure {
        public JOBOBJECT_BASIC_LIMIT_INFORMATION BasicLimitInformation = new JOBOBJECT_BASIC_LIMIT_INFORMATION();
        public IO_COUNTERS IoInfo = new IO_COUNTERS();
        /** SIZE_T */
        public long ProcessMemoryLimit;
        public long JobMemoryLimit;
        public long PeakProcessMemoryUsed;
        public long PeakJobMemoryUsed;

        public JOBOBJECT_EXTENDED_LIMIT_INFORMATION() {}

        public JOBOBJECT_EXTENDED_LIMIT_INFORMATION(Pointer p) {
            super(p);
            read();
        }
    }

    /** x64: 4 bytes. */
    @FieldOrder({"UIRestrictionsClass"})
    public static class JOBOBJECT_BASIC_UI_RESTRICTIONS extends Structure {
        public int UIRestrictionsClass;
    }

    /** x64: 8 bytes; the second DWORD is the union of CpuRate, Weight and MinRate/MaxRate. */
    @FieldOrder({"ControlFlags", "CpuRate"})
    public static class JOBOBJECT_CPU_RATE_CONTROL_INFORMATION extends Structure {
        public int ControlFlags;
        public int CpuRate;
    }
}
