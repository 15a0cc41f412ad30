package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ArchTest {

    @Test
    void mapsJavaArchitectureNames() {
        assertEquals(Arch.X86_64, Arch.fromOsArch("amd64", ByteOrder.LITTLE_ENDIAN));
        assertEquals(Arch.X86_64, Arch.fromOsArch("x86_64", ByteOrder.LITTLE_ENDIAN));
        assertEquals(Arch.AARCH64, Arch.fromOsArch("aarch64", ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void anythingElseFailsClosedWithTheNameInTheMessage() {
        for (String other : new String[] {"x86", "i386", "arm", "riscv64", "ppc64le", "s390x", "loongarch64", ""}) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> Arch.fromOsArch(other, ByteOrder.LITTLE_ENDIAN), other);
            assertTrue(e.getMessage().contains("'" + other + "'"), e.getMessage());
        }
        assertThrows(UnsupportedOperationException.class, () -> Arch.fromOsArch("aarch64", ByteOrder.BIG_ENDIAN));
    }

    @Test
    void currentAgreesWithOsArch() {
        String osArch = System.getProperty("os.arch");
        if (osArch.equals("amd64") || osArch.equals("x86_64")) {
            assertEquals(Arch.X86_64, Arch.current());
        } else if (osArch.equals("aarch64")) {
            assertEquals(Arch.AARCH64, Arch.current());
        } else {
            assertThrows(UnsupportedOperationException.class, Arch::current);
        }
    }
}
