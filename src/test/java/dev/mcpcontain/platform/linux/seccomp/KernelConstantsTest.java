package dev.mcpcontain.platform.linux.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares every magic number the compiler (and the test interpreter) hard-codes with the kernel uapi headers,
 * by compiling a C program that prints them. Linux with gcc only.
 */
class KernelConstantsTest {

    @Test
    void hardCodedConstantsMatchTheKernelHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"),
                "needs Linux uapi headers");
        Path program = NativeToolchain.compile(NativeToolchain.requireGcc(), dir, "kernel-constants.c");
        NativeToolchain.Result result = NativeToolchain.run(List.of(program.toString()));
        assertEquals(0, result.exitCode(), result::toString);

        Map<String, Long> headers = new TreeMap<>();
        for (String line : result.stdout().split("\n")) {
            int eq = line.indexOf('=');
            headers.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
        List<String> mismatches = new ArrayList<>();
        new TreeMap<>(ours()).forEach((name, value) -> {
            if (!value.equals(headers.get(name))) {
                mismatches.add(name + ": ours " + value + ", headers " + headers.get(name));
            }
        });
        assertEquals(List.of(), mismatches);
        assertEquals(ours().keySet(), headers.keySet(), "the C program and this test print the same names");
    }

    private static Map<String, Long> ours() {
        return Map.ofEntries(
                u("AUDIT_ARCH_X86_64", Arch.X86_64.auditArch()),
                u("AUDIT_ARCH_AARCH64", Arch.AARCH64.auditArch()),
                u("AUDIT_ARCH_I386", ExpectedPolicy.AUDIT_ARCH_I386),
                u("AUDIT_ARCH_ARM", ExpectedPolicy.AUDIT_ARCH_ARM),
                u("SECCOMP_RET_KILL_PROCESS", SeccompReturn.KILL_PROCESS),
                u("SECCOMP_RET_ERRNO", SeccompReturn.ERRNO),
                u("SECCOMP_RET_ALLOW", SeccompReturn.ALLOW),
                u("LD_W_ABS", Bpf.LD_W_ABS),
                u("JMP_JEQ_K", Bpf.JMP_JEQ_K),
                u("JMP_JGE_K", Bpf.JMP_JGE_K),
                u("JMP_JSET_K", Bpf.JMP_JSET_K),
                u("RET_K", Bpf.RET_K),
                u("BPF_MAXINSNS", Bpf.MAX_INSTRUCTIONS),
                u("sizeof(struct sock_filter)", Bpf.INSTRUCTION_SIZE),
                u("offsetof(nr)", SeccompData.NR),
                u("offsetof(arch)", SeccompData.ARCH),
                u("offsetof(args[0])", SeccompData.argLow(0)),
                u("offsetof(args[1])", SeccompData.argLow(1)),
                u("offsetof(args[2])", SeccompData.argLow(2)),
                u("sizeof(struct seccomp_data)", SeccompData.SIZE),
                u("EPERM", Errno.EPERM.value),
                u("ENOSYS", Errno.ENOSYS.value),
                u("EPROTONOSUPPORT", Errno.EPROTONOSUPPORT.value),
                u("EAFNOSUPPORT", Errno.EAFNOSUPPORT.value),
                u("CLONE_NEWTIME", DenyNamespaceClone.CLONE_NEWTIME),
                u("CLONE_NEWNS", DenyNamespaceClone.CLONE_NEWNS),
                u("CLONE_NEWCGROUP", DenyNamespaceClone.CLONE_NEWCGROUP),
                u("CLONE_NEWUTS", DenyNamespaceClone.CLONE_NEWUTS),
                u("CLONE_NEWIPC", DenyNamespaceClone.CLONE_NEWIPC),
                u("CLONE_NEWUSER", DenyNamespaceClone.CLONE_NEWUSER),
                u("CLONE_NEWPID", DenyNamespaceClone.CLONE_NEWPID),
                u("CLONE_NEWNET", DenyNamespaceClone.CLONE_NEWNET),
                u("PER_LINUX", RestrictPersonality.PER_LINUX),
                u("TIOCSTI", DenyTerminalInjection.TIOCSTI),
                u("TIOCLINUX", DenyTerminalInjection.TIOCLINUX),
                u("FALLOC_FL_KEEP_SIZE", DenyPreallocation.FALLOC_FL_KEEP_SIZE),
                u("FALLOC_FL_PUNCH_HOLE", DenyPreallocation.FALLOC_FL_PUNCH_HOLE),
                u("FALLOC_FL_COLLAPSE_RANGE", DenyPreallocation.FALLOC_FL_COLLAPSE_RANGE),
                u("FALLOC_FL_INSERT_RANGE", DenyPreallocation.FALLOC_FL_INSERT_RANGE),
                u("FS_IOC_RESVSP", DenyPreallocation.FS_IOC_RESVSP),
                u("FS_IOC_RESVSP64", DenyPreallocation.FS_IOC_RESVSP64),
                u("FS_IOC_ZERO_RANGE", DenyPreallocation.FS_IOC_ZERO_RANGE),
                u("FS_IOC_ALLOCSP", DenyPreallocation.FS_IOC_ALLOCSP),
                u("FS_IOC_ALLOCSP64", DenyPreallocation.FS_IOC_ALLOCSP64),
                u("TIOCSETD", DenyTerminalInjection.TIOCSETD),
                // the first network-device request; SIOCDEVPRIVATE+15 is the last of the sockios range
                u("SIOCGIFNAME", DenyInterfaceIoctl.SOCKIOS_DEVICE_FIRST),
                u("SIOCDEVPRIVATE", DenyInterfaceIoctl.SOCKIOS_LAST - 15),
                u("SIOCIWFIRST", DenyInterfaceIoctl.WIRELESS_FIRST),
                u("SO_PASSCRED", DenySocketOption.SO_PASSCRED),
                u("SOL_SOCKET", DenySocketOption.SOL_SOCKET),
                u("AF_UNIX", RestrictSocketFamilies.AF_UNIX),
                u("AF_INET", RestrictSocketFamilies.AF_INET),
                u("AF_INET6", RestrictSocketFamilies.AF_INET6),
                u("AF_NETLINK", RestrictSocketFamilies.AF_NETLINK),
                u("NETLINK_ROUTE", RestrictSocketFamilies.NETLINK_ROUTE),
                u("ESOCKTNOSUPPORT", Errno.ESOCKTNOSUPPORT.value),
                u("EOPNOTSUPP", Errno.EOPNOTSUPP.value),
                u("S_ISUID", DenySetidMode.S_ISUID),
                u("S_ISGID", DenySetidMode.S_ISGID),
                u("SOCK_STREAM", RestrictSocketFamilies.SOCK_STREAM),
                u("SOCK_SEQPACKET", RestrictSocketFamilies.SOCK_SEQPACKET),
                u("SOCK_NONBLOCK", RestrictSocketFamilies.SOCK_NONBLOCK),
                u("SOCK_CLOEXEC", RestrictSocketFamilies.SOCK_CLOEXEC),
                u("PRIO_PROCESS", SeccompPolicy.PRIO_PROCESS),
                u("IOPRIO_WHO_PROCESS", SeccompPolicy.IOPRIO_WHO_PROCESS),
                u("offsetof(args[3])", SeccompData.argLow(3)));
    }

    private static Map.Entry<String, Long> u(String name, int value) {
        return Map.entry(name, Integer.toUnsignedLong(value));
    }
}
