package dev.mcpcontain.platform.linux.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a classic-BPF program with symbolic forward jumps, so rules never compute offsets by hand.
 *
 * <p>A conditional jump whose target is {@code null} falls through to the next instruction. Targets are resolved
 * in {@link #assemble()}, which refuses (rather than silently truncating) any jump longer than jt/jf can encode.
 * Rules are written so that their jumps stay within their own short block; should one ever grow too large, this
 * is where it will be caught.
 */
final class BpfAssembler {

    /** A jump target; bind it where the instruction it names will be emitted. */
    static final class Label {
        private final String name;

        private Label(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record Pending(int code, Label ifTrue, Label ifFalse, int k) {}

    private final List<Pending> instructions = new ArrayList<>();
    private final Map<Label, Integer> bound = new IdentityHashMap<>();

    Label newLabel(String name) {
        return new Label(name);
    }

    void bind(Label label) {
        if (bound.putIfAbsent(label, instructions.size()) != null) {
            throw new IllegalStateException("BPF label bound twice: " + label);
        }
    }

    int size() {
        return instructions.size();
    }

    /** A = the 32-bit word at {@code offset} in {@code struct seccomp_data}. */
    void loadWord(int offset) {
        if (offset < 0 || offset + 4 > SeccompData.SIZE || offset % 4 != 0) {
            throw new IllegalArgumentException("bad seccomp_data offset: " + offset);
        }
        instructions.add(new Pending(Bpf.LD_W_ABS, null, null, offset));
    }

    /** if (A == k) goto ifTrue else goto ifFalse; {@code null} means the next instruction. */
    void jumpIfEqual(int k, Label ifTrue, Label ifFalse) {
        instructions.add(new Pending(Bpf.JMP_JEQ_K, ifTrue, ifFalse, k));
    }

    /** if (A >= k, unsigned) goto ifTrue else goto ifFalse. */
    void jumpIfAtLeast(int k, Label ifTrue, Label ifFalse) {
        instructions.add(new Pending(Bpf.JMP_JGE_K, ifTrue, ifFalse, k));
    }

    /** {@code if ((A & k) != 0)} goto ifTrue else goto ifFalse. */
    void jumpIfAnyBit(int k, Label ifTrue, Label ifFalse) {
        instructions.add(new Pending(Bpf.JMP_JSET_K, ifTrue, ifFalse, k));
    }

    void ret(int value) {
        instructions.add(new Pending(Bpf.RET_K, null, null, value));
    }

    /** The program as {@code struct sock_filter[]} bytes in the native (little-endian) layout. */
    byte[] assemble() {
        int count = instructions.size();
        if (count == 0 || count > Bpf.MAX_INSTRUCTIONS) {
            throw new IllegalStateException("BPF program has " + count + " instructions; the kernel accepts 1.."
                    + Bpf.MAX_INSTRUCTIONS);
        }
        if (instructions.get(count - 1).code() != Bpf.RET_K) {
            throw new IllegalStateException("BPF program must end with a return");
        }
        ByteBuffer out = ByteBuffer.allocate(count * Bpf.INSTRUCTION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int pc = 0; pc < count; pc++) {
            Pending insn = instructions.get(pc);
            out.putShort((short) insn.code());
            out.put((byte) offset(pc, insn.ifTrue()));
            out.put((byte) offset(pc, insn.ifFalse()));
            out.putInt(insn.k());
        }
        return out.array();
    }

    private int offset(int pc, Label target) {
        if (target == null) {
            return 0;
        }
        Integer at = bound.get(target);
        if (at == null) {
            throw new IllegalStateException("BPF label never bound: " + target);
        }
        if (at >= instructions.size()) {
            throw new IllegalStateException("BPF label " + target + " is past the last instruction");
        }
        int distance = at - (pc + 1);
        // Classic BPF only jumps forwards, which is also what guarantees the kernel that the filter terminates.
        if (distance < 0) {
            throw new IllegalStateException("BPF jump backwards to " + target + " at instruction " + pc);
        }
        if (distance > Bpf.MAX_CONDITIONAL_JUMP) {
            throw new IllegalStateException("BPF jump to " + target + " at instruction " + pc + " spans " + distance
                    + " instructions; jt/jf hold at most " + Bpf.MAX_CONDITIONAL_JUMP);
        }
        return distance;
    }
}
