package dev.mcpcontain.platform.windows.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import com.sun.jna.WString;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CREDENTIALW against its documented Windows x64 layout (wincred.h: 80 bytes), on any build machine: the fields
 * use fixed-width types only, so the offsets JNA computes here are those it computes on Windows x64.
 */
class CredentialLayoutTest {

    @Test
    void credentialwMatchesTheDocumentedX64Layout() {
        CredentialStructs.CREDENTIALW c = new CredentialStructs.CREDENTIALW();
        assertEquals(80, c.size());
        Map<String, Integer> offsets = Map.ofEntries(Map.entry("Flags", 0), Map.entry("Type", 4),
                Map.entry("TargetName", 8), Map.entry("Comment", 16), Map.entry("LastWritten", 24),
                Map.entry("CredentialBlobSize", 32),
                Map.entry("CredentialBlob", 40), Map.entry("Persist", 48), Map.entry("AttributeCount", 52),
                Map.entry("Attributes", 56), Map.entry("TargetAlias", 64), Map.entry("UserName", 72));
        offsets.forEach((field, offset) -> assertEquals(offset, WindowsStructLayoutTest.offset(c, field), field));
        CredentialStructs.FILETIME t = new CredentialStructs.FILETIME();
        assertEquals(8, t.size());
        assertEquals(4, WindowsStructLayoutTest.offset(t, "dwHighDateTime"));
    }

    @Test
    void onlyFixedWidthFieldTypes() {
        for (Field f : CredentialStructs.CREDENTIALW.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> t = f.getType();
            assertTrue(t == int.class || t == Pointer.class || t == WString.class
                    || t == CredentialStructs.FILETIME.class, f.getName() + ": " + t);
        }
    }

    @Test
    void theConstantsAreWincredsValues() {
        assertEquals(1, CredentialStructs.CRED_TYPE_GENERIC);
        assertEquals(2, CredentialStructs.CRED_PERSIST_LOCAL_MACHINE);
        assertEquals(1168, CredentialStructs.ERROR_NOT_FOUND);
    }
}
