package dev.mcpcontain.platform.linux.seccomp;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code setsockopt(fd, SOL_SOCKET, NAME, ...)} fails with EPERM for the named options.
 *
 * <p>Used in landlock isolation without network for SO_PASSCRED and SO_PASSPIDFD: an unbound AF_UNIX socket with
 * either set is bound by the kernel to a fresh abstract name when it sends or connects (autobind), in the abstract
 * namespace of the host's network namespace, which the server shares there. The autobind space is 2^20 names, so a
 * server holding enough socketpairs would leave every host program that autobinds (or binds with an empty address)
 * without one. Nothing a server without network does needs credentials passed on its own socketpairs.
 *
 * @param level   the option level, compared in the low word (the kernel takes an int)
 * @param names   the option names refused at that level
 * @param meaning how {@code --dry-run} names them
 */
record DenySocketOption(int level, List<Integer> names, String meaning) implements FilterRule {

    static final int SOL_SOCKET = 1;
    static final int SO_PASSCRED = 16;
    static final int SO_PASSPIDFD = 76;

    DenySocketOption {
        names = List.copyOf(names);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("DenySocketOption needs at least one option name");
        }
    }

    @Override
    public void emit(BpfAssembler asm, Arch arch) {
        BpfAssembler.Label next = asm.newLabel("after-setsockopt");
        BpfAssembler.Label keep = asm.newLabel("setsockopt-keep");
        BpfAssembler.Label option = asm.newLabel("setsockopt-name");
        asm.jumpIfEqual(SyscallTable.number(arch, "setsockopt").orElseThrow(), null, next);
        asm.loadWord(SeccompData.argLow(1));
        asm.jumpIfEqual(level, option, keep);
        asm.bind(option);
        asm.loadWord(SeccompData.argLow(2));
        BpfAssembler.Label deny = asm.newLabel("setsockopt-deny");
        for (int i = 0; i < names.size() - 1; i++) {
            asm.jumpIfEqual(names.get(i), deny, null);
        }
        asm.jumpIfEqual(names.get(names.size() - 1), null, keep);
        asm.bind(deny);
        asm.ret(SeccompReturn.errno(Errno.EPERM));
        asm.bind(keep);
        asm.loadWord(SeccompData.NR);
        asm.bind(next);
    }

    @Override
    public String describe(Arch arch) {
        return String.format("setsockopt (%d): level (low 32 bits) %d and name in {%s} (%s) -> %s",
                SyscallTable.number(arch, "setsockopt").orElseThrow(), level,
                names.stream().map(String::valueOf).collect(Collectors.joining(", ")), meaning,
                SeccompReturn.describe(SeccompReturn.errno(Errno.EPERM)));
    }
}
