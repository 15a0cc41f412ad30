package dev.mcpcontain.platform.linux.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Evaluates a seccomp classic-BPF program the way the kernel does, for the few opcodes the compiler emits; any
 * other opcode is an error, so a compiler change that needs more cannot pass unnoticed.
 *
 * <p>The opcode values are spelt out here from linux/bpf_common.h rather than taken from {@link Bpf}, so that a
 * wrong constant in the compiler is not mirrored by the test.
 */
final class ClassicBpfInterpreter {

    private static final int LD_W_ABS = 0x20;
    private static final int JEQ_K = 0x15;
    private static final int JGE_K = 0x35;
    private static final int JSET_K = 0x45;
    private static final int RET_K = 0x06;
    private static final int SECCOMP_DATA_SIZE = 64;

    private ClassicBpfInterpreter() {}

    /** The kernel's load-time checks (sk_chk_filter + seccomp_check_filter) for our opcode subset. */
    static void validate(byte[] program) {
        if (program.length == 0 || program.length % 8 != 0 || program.length / 8 > 4096) {
            throw new AssertionError("bad program length " + program.length);
        }
        int count = program.length / 8;
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        for (int pc = 0; pc < count; pc++) {
            int code = Short.toUnsignedInt(in.getShort(pc * 8));
            int jt = Byte.toUnsignedInt(in.get(pc * 8 + 2));
            int jf = Byte.toUnsignedInt(in.get(pc * 8 + 3));
            int k = in.getInt(pc * 8 + 4);
            switch (code) {
                case LD_W_ABS -> {
                    if (k < 0 || k % 4 != 0 || k + 4 > SECCOMP_DATA_SIZE) {
                        throw new AssertionError("pc " + pc + ": load outside seccomp_data: " + k);
                    }
                }
                case JEQ_K, JGE_K, JSET_K -> {
                    if (pc + 1 + Math.max(jt, jf) >= count) {
                        throw new AssertionError("pc " + pc + ": jump past the end");
                    }
                }
                case RET_K -> { }
                default -> throw new AssertionError(String.format("pc %d: unexpected opcode 0x%04x", pc, code));
            }
        }
        int last = Short.toUnsignedInt(in.getShort((count - 1) * 8));
        if (last != RET_K) {
            throw new AssertionError("program does not end with a return");
        }
    }

    /** The action the program returns for one syscall. */
    static int run(byte[] program, int auditArch, int nr, long... args) {
        validate(program);
        if (args.length > 6) {
            throw new IllegalArgumentException("at most 6 arguments");
        }
        ByteBuffer data = ByteBuffer.allocate(SECCOMP_DATA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr);
        data.putInt(4, auditArch);
        data.putLong(8, 0L); // instruction_pointer: never read by our filters
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int accumulator = 0;
        int pc = 0;
        while (true) {
            int op = Short.toUnsignedInt(code.getShort(pc * 8));
            int jt = Byte.toUnsignedInt(code.get(pc * 8 + 2));
            int jf = Byte.toUnsignedInt(code.get(pc * 8 + 3));
            int k = code.getInt(pc * 8 + 4);
            pc++;
            switch (op) {
                case LD_W_ABS -> accumulator = data.getInt(k);
                case JEQ_K -> pc += accumulator == k ? jt : jf;
                case JGE_K -> pc += Integer.compareUnsigned(accumulator, k) >= 0 ? jt : jf;
                case JSET_K -> pc += (accumulator & k) != 0 ? jt : jf;
                case RET_K -> {
                    return k;
                }
                default -> throw new AssertionError("unreachable: validated");
            }
        }
    }
}
