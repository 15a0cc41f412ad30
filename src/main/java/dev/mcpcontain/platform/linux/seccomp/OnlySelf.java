package dev.mcpcontain.platform.linux.seccomp;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * A call that can aim at another process (prlimit64, setpriority, sched_setaffinity, ioprio_set, ...) is allowed
 * only in its "this process" form and fails with EPERM otherwise. Without a pid namespace (landlock isolation) the
 * server would otherwise lower the limits, priority or CPU set of every process of its uid: other servers, and for
 * a user launcher the user's desktop.
 *
 * <p>The filter cannot know the caller's own pid, so only the literal 0 ("myself") passes. That is what glibc's
 * setrlimit/getrlimit (prlimit64(0, ...)), nice() (setpriority(PRIO_PROCESS, 0)) and sched_setaffinity(0) pass; a
 * thread naming itself by its tid (pthread_setaffinity_np) is refused too, and callers treat that EPERM as "not
 * allowed to change it", as they must for an unprivileged process anyway.
 *
 * <p>Only the low words are compared: pid_t, id_t and "which" are 32-bit in the kernel, so a value with high bits
 * set is the same target to it.
 *
 * @param syscall  the kernel's name for it
 * @param required the arguments that must have exactly these values for the call to run
 */
record OnlySelf(String syscall, List<Required> required) implements FilterRule {

    /** Argument {@code index} must equal {@code value}; {@code meaning} is how --dry-run names it. */
    record Required(int index, int value, String meaning) {
        Required {
            SeccompData.argLow(index);
            Objects.requireNonNull(meaning, "meaning");
        }
    }

    OnlySelf {
        Objects.requireNonNull(syscall, "syscall");
        required = List.copyOf(required);
        if (required.isEmpty()) {
            throw new IllegalArgumentException("OnlySelf needs at least one required argument");
        }
    }

    static OnlySelf pidArg(String syscall, int index) {
        return new OnlySelf(syscall, List.of(new Required(index, 0, "pid == 0 (self)")));
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return;
        }
        BpfAssembler.Label next = asm.newLabel("after-" + syscall);
        BpfAssembler.Label deny = asm.newLabel(syscall + "-deny");
        asm.jumpIfEqual(nr.getAsInt(), null, next);
        for (Required r : required) {
            asm.loadWord(SeccompData.argLow(r.index()));
            asm.jumpIfEqual(r.value(), null, deny);
        }
        asm.ret(SeccompReturn.ALLOW);
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        OptionalInt nr = SyscallTable.number(arch, syscall);
        if (nr.isEmpty()) {
            return FilterRule.absent(syscall, arch);
        }
        String condition = required.stream()
                .map(r -> "arg " + r.index() + " (low 32 bits) " + r.meaning())
                .collect(Collectors.joining(" and "));
        return String.format("%s (%d): unless %s -> %s, else ALLOW  [other processes]", syscall, nr.getAsInt(),
                condition, SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
