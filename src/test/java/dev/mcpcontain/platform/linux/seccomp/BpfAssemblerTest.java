package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BpfAssemblerTest {

    @Test
    void encodesSockFilterLittleEndian() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label target = asm.newLabel("target");
        asm.loadWord(SeccompData.argLow(1));
        asm.jumpIfEqual(0x12345678, null, target);
        asm.ret(0x00050001);
        asm.bind(target);
        asm.ret(0x7fff0000);
        assertArrayEquals(new byte[] {
                0x20, 0, 0, 0, 24, 0, 0, 0,
                0x15, 0, 0, 1, 0x78, 0x56, 0x34, 0x12,
                0x06, 0, 0, 0, 1, 0, 5, 0,
                0x06, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f}, asm.assemble());
    }

    @Test
    void longestEncodableJumpIsAccepted() {
        assertEquals(258 * 8, jumpOver(255).assemble().length);
    }

    @Test
    void jumpBeyondWhatJtJfHoldIsRefusedNotTruncated() {
        BpfAssembler asm = jumpOver(256);
        IllegalStateException e = assertThrows(IllegalStateException.class, asm::assemble);
        assertEquals(true, e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void unboundLabelIsRefused() {
        BpfAssembler asm = new BpfAssembler();
        asm.jumpIfEqual(1, asm.newLabel("nowhere"), null);
        asm.ret(0);
        assertThrows(IllegalStateException.class, asm::assemble);
    }

    @Test
    void backwardJumpIsRefused() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label start = asm.newLabel("start");
        asm.bind(start);
        asm.loadWord(0);
        asm.jumpIfEqual(1, start, null);
        asm.ret(0);
        assertThrows(IllegalStateException.class, asm::assemble);
    }

    @Test
    void labelPastTheEndIsRefused() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label end = asm.newLabel("end");
        asm.jumpIfEqual(1, end, null);
        asm.ret(0);
        asm.bind(end);
        assertThrows(IllegalStateException.class, asm::assemble);
    }

    @Test
    void programMustEndWithReturnAndFitTheKernelLimit() {
        BpfAssembler noReturn = new BpfAssembler();
        noReturn.loadWord(0);
        assertThrows(IllegalStateException.class, noReturn::assemble);
        assertThrows(IllegalStateException.class, new BpfAssembler()::assemble);

        BpfAssembler tooLong = new BpfAssembler();
        for (int i = 0; i < 4097; i++) {
            tooLong.ret(0);
        }
        assertThrows(IllegalStateException.class, tooLong::assemble);
    }

    @Test
    void loadsOutsideSeccompDataAreRefused() {
        BpfAssembler asm = new BpfAssembler();
        assertThrows(IllegalArgumentException.class, () -> asm.loadWord(64));
        assertThrows(IllegalArgumentException.class, () -> asm.loadWord(2));
        assertThrows(IllegalArgumentException.class, () -> SeccompData.argLow(6));
    }

    private static BpfAssembler jumpOver(int skipped) {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label target = asm.newLabel("far");
        asm.jumpIfEqual(1, target, null);
        for (int i = 0; i < skipped; i++) {
            asm.ret(0);
        }
        asm.bind(target);
        asm.ret(1);
        asm.ret(2);
        return asm;
    }
}
