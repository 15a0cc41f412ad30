package dev.mcpcontain.platform.linux.seccomp;

import java.util.ArrayList;
import java.util.List;

/**
 * The second filter of a server with protected writable grants: every syscall that can give a directory entry a
 * name is handed to the helper's create guard. It is loaded after the main filter, so a call the main filter
 * refuses (a setuid mode) is refused before the guard sees it: the kernel runs every filter and the lowest action
 * wins, and ERRNO is below USER_NOTIF.
 *
 * <p>Why a notifying filter and not a name check in BPF: the name is behind a pointer, which BPF cannot read, and a
 * supervisor that reads it and lets the call continue races with any thread that rewrites it in between. The guard
 * therefore never lets a notified call continue: it performs the call itself from the copy it checked.
 */
public final class CreateGuardFilter {

    /** Every syscall that names a new entry, with its flags argument where only O_CREAT calls create. */
    static final List<NotifyCreate> CREATING = List.of(
            new NotifyCreate("open", 1), new NotifyCreate("openat", 2), new NotifyCreate("creat", -1),
            new NotifyCreate("mkdir", -1), new NotifyCreate("mkdirat", -1),
            new NotifyCreate("mknod", -1), new NotifyCreate("mknodat", -1),
            new NotifyCreate("symlink", -1), new NotifyCreate("symlinkat", -1),
            new NotifyCreate("link", -1), new NotifyCreate("linkat", -1),
            new NotifyCreate("rename", -1), new NotifyCreate("renameat", -1), new NotifyCreate("renameat2", -1));

    private CreateGuardFilter() {}

    private static List<FilterRule> rules() {
        List<FilterRule> rules = new ArrayList<>();
        rules.add(new ArchitectureCheck());
        rules.addAll(CREATING);
        // The guard carries creations out within the launcher's Landlock layers; a layer the server added itself
        // would not bind it, so the server may not add one (EPERM, as a kernel refusing the domain would say).
        rules.add(new DenySyscall("landlock_restrict_self", Errno.EPERM,
                "the create guard acts in the launcher's Landlock domain, not in one the server adds"));
        rules.add(new DefaultAllow());
        return rules;
    }

    /** The program as {@code struct sock_filter[]}, for the helper's create guard. */
    public static byte[] compile(Arch arch) {
        BpfAssembler asm = new BpfAssembler();
        for (FilterRule rule : rules()) {
            rule.emit(asm, arch);
        }
        return asm.assemble();
    }

    /** One line per rule, for {@code --dry-run}. */
    public static List<String> describe(Arch arch) {
        List<String> lines = new ArrayList<>();
        for (FilterRule rule : rules()) {
            lines.add(rule.describe(arch));
        }
        return lines;
    }
}
