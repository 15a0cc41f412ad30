package dev.mcpcontain.platform.linux.seccomp;

/**
 * The classic-BPF opcodes the compiler emits (linux/bpf_common.h). The filter needs only absolute 32-bit loads,
 * compare-with-constant jumps and constant returns; keeping the set this small keeps the test interpreter small.
 */
final class Bpf {
    static final int LD_W_ABS = 0x00 | 0x00 | 0x20; // BPF_LD | BPF_W | BPF_ABS
    static final int JMP_JEQ_K = 0x05 | 0x10 | 0x00; // BPF_JMP | BPF_JEQ | BPF_K
    static final int JMP_JGE_K = 0x05 | 0x30 | 0x00; // BPF_JMP | BPF_JGE | BPF_K
    static final int JMP_JSET_K = 0x05 | 0x40 | 0x00; // BPF_JMP | BPF_JSET | BPF_K
    static final int RET_K = 0x06 | 0x00;            // BPF_RET | BPF_K

    /** {@code sizeof(struct sock_filter)}. */
    static final int INSTRUCTION_SIZE = 8;
    /** BPF_MAXINSNS: the kernel rejects longer filters, and so does the helper. */
    static final int MAX_INSTRUCTIONS = 4096;
    /** jt and jf are u8: a conditional jump skips at most 255 instructions. */
    static final int MAX_CONDITIONAL_JUMP = 255;

    private Bpf() {}
}
