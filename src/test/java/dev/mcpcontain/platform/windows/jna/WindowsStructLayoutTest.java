package dev.mcpcontain.platform.windows.jna;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Windows x64 layouts of every structure the project declares, checked on Linux three ways: against the table
 * of documented sizes and offsets (windows.md §5), against sizes, offsets and initialised bytes that the mingw-w64
 * headers produce (fixture from scripts/windows-struct-fixtures.sh), and by the field types (no host-sized
 * types) that make the Linux result valid for Windows.
 */
class WindowsStructLayoutTest {

    private static final Map<String, Map<String, Long>> MINGW = new HashMap<>();
    private static final Map<String, String> GOLDEN = new HashMap<>();

    static {
        try (InputStream in = WindowsStructLayoutTest.class.getResourceAsStream("mingw-x64-layouts.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] words = line.strip().split(" ");
                if (words[0].equals("layout")) {
                    Map<String, Long> values = new LinkedHashMap<>();
                    for (int i = 2; i < words.length; i++) {
                        String[] kv = words[i].split("=");
                        values.put(kv[0], Long.parseLong(kv[1]));
                    }
                    MINGW.put(words[1], values);
                } else if (words[0].equals("golden")) {
                    GOLDEN.put(words[2], words[3]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int offset(Structure s, String field) {
        try {
            Method m = Structure.class.getDeclaredMethod("fieldOffset", String.class);
            m.setAccessible(true);
            return (Integer) m.invoke(s, field);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertLayout(Structure s, int size, Object... fieldOffsets) {
        assertEquals(size, s.size(), s.getClass().getSimpleName() + " size");
        for (int i = 0; i < fieldOffsets.length; i += 2) {
            assertEquals((int) fieldOffsets[i + 1], offset(s, (String) fieldOffsets[i]),
                    s.getClass().getSimpleName() + "." + fieldOffsets[i]);
        }
    }

    @Test
    void documentedSizesAndOffsets() {
        assertLayout(new JobObjectStructs.JOBOBJECT_BASIC_LIMIT_INFORMATION(), 64, "LimitFlags", 16,
                "MinimumWorkingSetSize", 24, "MaximumWorkingSetSize", 32, "ActiveProcessLimit", 40, "Affinity", 48,
                "PriorityClass", 56, "SchedulingClass", 60);
        assertLayout(new JobObjectStructs.JOBOBJECT_EXTENDED_LIMIT_INFORMATION(), 144, "IoInfo", 64,
                "ProcessMemoryLimit", 112, "JobMemoryLimit", 120, "PeakProcessMemoryUsed", 128, "PeakJobMemoryUsed", 136);
        assertLayout(new JobObjectStructs.IO_COUNTERS(), 48);
        assertLayout(new JobObjectStructs.JOBOBJECT_BASIC_UI_RESTRICTIONS(), 4);
        assertLayout(new TokenStructs.SID_AND_ATTRIBUTES(), 16, "Attributes", 8);
        assertLayout(new TokenStructs.TOKEN_MANDATORY_LABEL(), 16);
        assertLayout(new TokenStructs.TOKEN_GROUPS(), 24, "Groups", 8);
        assertLayout(new TokenStructs.SECURITY_CAPABILITIES(), 24, "Capabilities", 8, "CapabilityCount", 16,
                "Reserved", 20);
        assertLayout(new ProcessStructs.STARTUPINFOW(), 104, "lpDesktop", 16, "dwFlags", 60, "wShowWindow", 64,
                "lpReserved2", 72, "hStdInput", 80, "hStdOutput", 88, "hStdError", 96);
        assertLayout(new ProcessStructs.STARTUPINFOEXW(), 112, "lpAttributeList", 104);
        assertLayout(new ProcessStructs.PROCESS_INFORMATION(), 24, "hThread", 8, "dwProcessId", 16, "dwThreadId", 20);
        assertLayout(new ProcessStructs.SECURITY_ATTRIBUTES(), 24, "lpSecurityDescriptor", 8, "bInheritHandle", 16);
        assertLayout(new AclStructs.TRUSTEE_W(), 32, "MultipleTrusteeOperation", 8, "TrusteeForm", 12,
                "TrusteeType", 16, "ptstrName", 24);
        assertLayout(new AclStructs.EXPLICIT_ACCESS_W(), 48, "grfAccessMode", 4, "grfInheritance", 8, "Trustee", 16);
    }

    @Test
    void everyDeclaredStructureMatchesTheMingwHeadersFieldByField() {
        List<Class<? extends Structure>> declared = declaredStructures();
        assertTrue(declared.size() >= 17, "found " + declared);
        for (Class<? extends Structure> type : declared) {
            Map<String, Long> expected = MINGW.get(type.getSimpleName());
            assertNotNull(expected, type.getSimpleName() + " has no mingw layout: add it to scripts/windows-struct-fixtures.sh");
            Structure s = instantiate(type);
            assertEquals(expected.get("size"), (long) s.size(), type.getSimpleName() + " size");
            List<String> fields = List.of(type.getAnnotation(Structure.FieldOrder.class).value());
            assertEquals(expected.size() - 1, fields.size(), type.getSimpleName() + " field count");
            for (String field : fields) {
                assertEquals(expected.get(field), (long) offset(s, field), type.getSimpleName() + "." + field);
            }
        }
    }

    @Test
    void fieldTypesAreFixedWidthOnly() {
        for (Class<? extends Structure> type : declaredStructures()) {
            for (java.lang.reflect.Field f : type.getFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType().isArray() ? f.getType().getComponentType() : f.getType();
                boolean allowed = t == int.class || t == long.class || t == short.class || t == byte.class
                        || t == Pointer.class || t == com.sun.jna.WString.class
                        || (Structure.class.isAssignableFrom(t) && t.getPackageName().equals(type.getPackageName()));
                assertTrue(allowed, type.getSimpleName() + "." + f.getName() + " has type " + t.getName()
                        + ": use int/long/short/Pointer (NativeLong, LONG and ULONG are 8 bytes on Linux, 4 on Windows)");
            }
        }
    }

    @Test
    void extendedLimitBytesMatchMingw() {
        var s = new JobObjectStructs.JOBOBJECT_EXTENDED_LIMIT_INFORMATION();
        var b = s.BasicLimitInformation;
        b.PerProcessUserTimeLimit = 0x1111111111111111L;
        b.PerJobUserTimeLimit = 0x2222222222222222L;
        b.LimitFlags = 0x33333333;
        b.MinimumWorkingSetSize = 0x4444444444444444L;
        b.MaximumWorkingSetSize = 0x5555555555555555L;
        b.ActiveProcessLimit = 0x66666666;
        b.Affinity = 0x7777777777777777L;
        b.PriorityClass = 0x88888888;
        b.SchedulingClass = 0x99999999;
        s.IoInfo.ReadOperationCount = 0xA1A1A1A1A1A1A1A1L;
        s.IoInfo.WriteOperationCount = 0xA2A2A2A2A2A2A2A2L;
        s.IoInfo.OtherOperationCount = 0xA3A3A3A3A3A3A3A3L;
        s.IoInfo.ReadTransferCount = 0xA4A4A4A4A4A4A4A4L;
        s.IoInfo.WriteTransferCount = 0xA5A5A5A5A5A5A5A5L;
        s.IoInfo.OtherTransferCount = 0xA6A6A6A6A6A6A6A6L;
        s.ProcessMemoryLimit = 0xB1B1B1B1B1B1B1B1L;
        s.JobMemoryLimit = 0xB2B2B2B2B2B2B2B2L;
        s.PeakProcessMemoryUsed = 0xB3B3B3B3B3B3B3B3L;
        s.PeakJobMemoryUsed = 0xB4B4B4B4B4B4B4B4L;
        assertGolden(s);
    }

    @Test
    void securityCapabilitiesBytesMatchMingwAndTheNotes() {
        var s = new TokenStructs.SECURITY_CAPABILITIES();
        s.AppContainerSid = new Pointer(0x1000);
        s.Capabilities = new Pointer(0x2000);
        s.CapabilityCount = 3;
        assertGolden(s);
        assertEquals("001000000000000000200000000000000300000000000000", hex(s));
    }

    @Test
    void startupInfoExBytesMatchMingw() {
        var s = new ProcessStructs.STARTUPINFOEXW();
        var si = s.StartupInfo;
        si.cb = 112;
        si.lpReserved = new Pointer(0x1000);
        si.lpDesktop = new Pointer(0x2000);
        si.lpTitle = new Pointer(0x3000);
        si.dwX = 1;
        si.dwY = 2;
        si.dwXSize = 3;
        si.dwYSize = 4;
        si.dwXCountChars = 5;
        si.dwYCountChars = 6;
        si.dwFillAttribute = 7;
        si.dwFlags = 0x100;
        si.wShowWindow = 0x0909;
        si.cbReserved2 = 0x0A0A;
        si.lpReserved2 = new Pointer(0x4000);
        si.hStdInput = new Pointer(0x5000);
        si.hStdOutput = new Pointer(0x6000);
        si.hStdError = new Pointer(0x7000);
        s.lpAttributeList = new Pointer(0x8000);
        assertGolden(s);
    }

    @Test
    void explicitAccessBytesMatchMingw() {
        var s = new AclStructs.EXPLICIT_ACCESS_W();
        s.grfAccessPermissions = 0x001200A9;
        s.grfAccessMode = 0x11;
        s.grfInheritance = 0x22;
        s.Trustee.pMultipleTrustee = new Pointer(0x1111);
        s.Trustee.MultipleTrusteeOperation = 0x33;
        s.Trustee.TrusteeForm = 0x44;
        s.Trustee.TrusteeType = 0x55;
        s.Trustee.ptstrName = new Pointer(0x6666);
        assertGolden(s);
    }

    @Test
    void smallStructureBytesMatchMingw() {
        var label = new TokenStructs.TOKEN_MANDATORY_LABEL();
        label.Label.Sid = new Pointer(0x1000);
        label.Label.Attributes = 0x20;
        assertGolden(label);
        var pi = new ProcessStructs.PROCESS_INFORMATION();
        pi.hProcess = new Pointer(0x1000);
        pi.hThread = new Pointer(0x2000);
        pi.dwProcessId = 0x33;
        pi.dwThreadId = 0x44;
        assertGolden(pi);
        var sa = new ProcessStructs.SECURITY_ATTRIBUTES();
        sa.nLength = 24;
        sa.lpSecurityDescriptor = new Pointer(0x1000);
        sa.bInheritHandle = 1;
        assertGolden(sa);
        var cpu = new JobObjectStructs.JOBOBJECT_CPU_RATE_CONTROL_INFORMATION();
        cpu.ControlFlags = 5;
        cpu.CpuRate = 2500;
        assertGolden(cpu);
        var ui = new JobObjectStructs.JOBOBJECT_BASIC_UI_RESTRICTIONS();
        ui.UIRestrictionsClass = 0xFF;
        assertGolden(ui);
    }

    @Test
    void brokerStructuresHaveTheDocumentedLayoutAndBytes() {
        assertLayout(new BrokerStructs.LSA_STRING(), 16, "Buffer", 8);
        assertLayout(new BrokerStructs.UNICODE_STRING(), 16, "MaximumLength", 2, "Buffer", 8);
        assertLayout(new BrokerStructs.MSV1_0_S4U_LOGON(), 40, "Flags", 4, "UserPrincipalName", 8, "DomainName", 24);
        assertLayout(new BrokerStructs.TOKEN_SOURCE(), 16, "SourceIdentifier", 8);
        assertLayout(new BrokerStructs.QUOTA_LIMITS(), 48, "TimeLimit", 40);
        assertLayout(new BrokerStructs.SERVICE_STATUS(), 28, "dwCurrentState", 4, "dwCheckPoint", 20, "dwWaitHint", 24);
        assertLayout(new BrokerStructs.SERVICE_TABLE_ENTRYW(), 16, "lpServiceProc", 8);

        var s4u = new BrokerStructs.MSV1_0_S4U_LOGON();
        s4u.MessageType = BrokerStructs.MSV1_0_S4U_LOGON.MS_V1_0_S4U_LOGON;
        s4u.Flags = 0x22;
        s4u.UserPrincipalName.Length = 0x0A;
        s4u.UserPrincipalName.MaximumLength = 0x0C;
        s4u.UserPrincipalName.Buffer = new Pointer(0x1000);
        s4u.DomainName.Length = 0x10;
        s4u.DomainName.MaximumLength = 0x12;
        s4u.DomainName.Buffer = new Pointer(0x2000);
        assertGolden(s4u);
        var status = new BrokerStructs.SERVICE_STATUS();
        status.dwServiceType = BrokerStructs.SERVICE_STATUS.SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = 2;
        status.dwCheckPoint = 3;
        status.dwWaitHint = 10000;
        assertGolden(status);
    }

    @Test
    void freshStartupInfoHasNoReservedPointer() {
        var s = new ProcessStructs.STARTUPINFOEXW();
        s.write();
        byte[] bytes = s.getPointer().getByteArray(0, s.size());
        assertArrayEquals(new byte[112], bytes, "a fresh STARTUPINFOEXW is all zero, lpReserved2 included");
    }

    private static void assertGolden(Structure s) {
        String name = s.getClass().getSimpleName();
        String expected = GOLDEN.get(name);
        assertNotNull(expected, "no golden bytes for " + name);
        String tail = expected.substring(2 * s.size());
        assertFalse(tail.chars().anyMatch(c -> c != '0'), "mingw section holds more than " + name);
        assertEquals(expected.substring(0, 2 * s.size()), hex(s), name + " bytes");
    }

    private static String hex(Structure s) {
        s.write();
        return HexFormat.of().formatHex(s.getPointer().getByteArray(0, s.size()));
    }

    static List<Class<? extends Structure>> declaredStructures() {
        try {
            Path dir = Path.of(JobObjectStructs.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve(JobObjectStructs.class.getPackageName().replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".class"))
                        .map(n -> JobObjectStructs.class.getPackageName() + "." + n.substring(0, n.length() - 6).replace('$', '.'))
                        .map(WindowsStructLayoutTest::load)
                        .filter(c -> c != null && Structure.class.isAssignableFrom(c))
                        .<Class<? extends Structure>>map(c -> c.asSubclass(Structure.class))
                        .sorted(java.util.Comparator.comparing(Class::getName))
                        .toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> load(String dotted) {
        // Nested classes: Outer.Inner -> Outer$Inner
        String binary = dotted;
        int firstNested = dotted.indexOf('.', JobObjectStructs.class.getPackageName().length() + 1);
        if (firstNested > 0) {
            binary = dotted.substring(0, firstNested) + dotted.substring(firstNested).replace('.', '$');
        }
        try {
            return Class.forName(binary, false, WindowsStructLayoutTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Structure instantiate(Class<? extends Structure> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type + " needs a public no-arg constructor", e);
        }
    }
}
