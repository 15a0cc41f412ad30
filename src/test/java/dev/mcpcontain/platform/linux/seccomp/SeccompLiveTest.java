package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.AUDIT_ARCH_X86_64;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EAFNOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ENOSYS;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPERM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPROTONOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loads the compiled filter into the running kernel with a throwaway C loader and checks that the kernel answers
 * exactly what the test interpreter predicts: the proof that the bytes, not just the model, are right.
 *
 * <p>Probes use errno fingerprinting: arguments are chosen so that, without a filter, the syscall fails harmlessly
 * with a different errno (the positive control, asserted where it does not depend on privileges or kernel
 * configuration). Linux x86_64 only.
 */
class SeccompLiveTest {

    private static final int EBADF = 9;
    private static final int EINVAL = 22;
    private static final int SIGSYS = 31;

    private static final int X86_64_GETPID = 39;
    private static final int I386_GETPID = 20;

    @TempDir
    static Path dir;
    private static Path loader;
    private static Path hostNetworkFilter;
    private static Path noNetworkFilter;
    private static Path landlockFilter;

    /**
     * One raw syscall.
     *
     * @param predicted    what the interpreter must say for it (ALLOW or ERRNO(x))
     * @param kernelErrno  what the kernel must answer under the filter: the policy errno when denied, 0 for success
     *                     or the syscall's own error when allowed
     * @param controlErrno what it answers without a filter, when that is the same on every host
     */
    record Probe(String label, boolean networkNone, long nr, long[] args, int predicted, int kernelErrno,
            Optional<Integer> controlErrno, SeccompOptions.Isolation isolation) {
        Probe(String label, boolean networkNone, long nr, long[] args, int predicted, int kernelErrno,
                Optional<Integer> controlErrno) {
            this(label, networkNone, nr, args, predicted, kernelErrno, controlErrno, SeccompOptions.Isolation.FULL);
        }

        Probe in(SeccompOptions.Isolation other) {
            return new Probe(label, networkNone, nr, args, predicted, kernelErrno, controlErrno, other);
        }

        SeccompOptions options() {
            return new SeccompOptions(Arch.X86_64, networkNone, isolation);
        }

        @Override
        public String toString() {
            return label + (networkNone ? " [network none" : " [network host") + ", " + isolation + "]";
        }
    }

    @BeforeAll
    static void buildLoaderAndFilters() throws Exception {
        assumeTrue(NativeToolchain.isLinuxX86_64(), "live seccomp tests run on Linux x86_64 only (this is "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ")");
        Path gcc = NativeToolchain.requireGcc();
        loader = NativeToolchain.compile(gcc, dir, "seccomp-loader.c", "-pthread");
        hostNetworkFilter = Files.write(dir.resolve("host.bpf"),
                SeccompCompiler.compile(new SeccompOptions(Arch.X86_64, false)));
        noNetworkFilter = Files.write(dir.resolve("none.bpf"),
                SeccompCompiler.compile(new SeccompOptions(Arch.X86_64, true)));
        landlockFilter = Files.write(dir.resolve("landlock.bpf"),
                SeccompCompiler.compile(new SeccompOptions(Arch.X86_64, false, SeccompOptions.Isolation.LANDLOCK)));
    }

    static Stream<Probe> probes() {
        List<Probe> probes = new ArrayList<>();
        for (boolean none : new boolean[] {false, true}) {
            probes.add(allowed("getpid", none, X86_64_GETPID, 0, 0));
            // unshare(CLONE_IO) is EINVAL unfiltered whoever calls it; the filter must answer first.
            probes.add(denied("unshare(CLONE_IO)", none, nr("unshare"), EPERM, EINVAL, 0x80000000L));
            probes.add(denied("unshare(CLONE_NEWUSER|CLONE_NEWNS)", none, nr("unshare"), EPERM, null,
                    0x10000000L | 0x20000L));
            // clone3 with a NULL, too-short clone_args is EINVAL unfiltered.
            probes.add(denied("clone3(NULL, 0)", none, nr("clone3"), ENOSYS, EINVAL, 0, 0));
            probes.add(denied("fsopen(NULL, 0)", none, nr("fsopen"), ENOSYS, null, 0, 0));
            probes.add(denied("open_tree_attr (Linux 6.15)", none, nr("open_tree_attr"), EPERM, null, -1, 0, 0, 0,
                    0));
            // CLONE_NEWUSER with CLONE_THREAD is EINVAL unfiltered, so nothing is ever forked here.
            probes.add(denied("clone(CLONE_NEWUSER|CLONE_THREAD)", none, nr("clone"), EPERM, EINVAL,
                    0x10000000L | 0x10000L));
            probes.add(denied("socket(AF_VSOCK)", none, nr("socket"), EAFNOSUPPORT, null, 40, 1, 0));
            probes.add(denied("socket(AF_PACKET)", none, nr("socket"), EAFNOSUPPORT, null, 17, 3, 0));
            probes.add(denied("socket(AF_NETLINK, NETLINK_AUDIT)", none, nr("socket"), EPROTONOSUPPORT, null, 16, 3,
                    9));
            probes.add(allowed("socket(AF_NETLINK, NETLINK_ROUTE)", none, nr("socket"), 0, 0, 16, 3, 0));
            probes.add(allowed("socket(AF_UNIX)", none, nr("socket"), 0, 0, 1, 1, 0));
            if (none) {
                probes.add(denied("socket(AF_INET)", none, nr("socket"), EAFNOSUPPORT, 0, 2, 1, 0));
                probes.add(denied("socket(AF_INET6)", none, nr("socket"), EAFNOSUPPORT, null, 10, 2, 0));
            } else {
                probes.add(allowed("socket(AF_INET)", none, nr("socket"), 0, 0, 2, 1, 0));
            }
            // ioctl on fd -1 is EBADF unfiltered: EPERM can only come from the filter.
            probes.add(denied("ioctl(TIOCSTI)", none, nr("ioctl"), EPERM, EBADF, -1, 0x5412, 0));
            probes.add(denied("ioctl(TIOCSTI | 0xdead << 32)", none, nr("ioctl"), EPERM, EBADF, -1, 0xdead00005412L,
                    0));
            probes.add(denied("ioctl(TIOCLINUX)", none, nr("ioctl"), EPERM, EBADF, -1, 0x541c, 0));
            probes.add(allowed("ioctl(TCGETS)", none, nr("ioctl"), EBADF, EBADF, -1, 0x5401, 0));
            probes.add(allowed("personality(query)", none, nr("personality"), 0, 0, 0xffffffffL));
            probes.add(denied("personality(PER_LINUX32)", none, nr("personality"), EPERM, 0, 8));
            // The x32 decision. Many kernels have x32 disabled and answer ENOSYS themselves: no control.
            probes.add(denied("x32 getpid", none, 0x40000000L | X86_64_GETPID, ENOSYS, null));
            probes.add(denied("x32 unshare", none, 0x40000000L | nr("unshare"), ENOSYS, null, 0x80000000L));
        }
        List<Probe> everyMode = setidProbes();
        probes.addAll(everyMode);
        // The same in landlock isolation, except the path-based chmod calls, which are refused whatever the mode.
        for (Probe probe : everyMode) {
            if (!probe.networkNone() && !List.of(nr("chmod"), nr("fchmodat"), nr("fchmodat2")).contains(probe.nr())) {
                probes.add(probe.in(SeccompOptions.Isolation.LANDLOCK));
            }
        }
        probes.addAll(landlockProbes());
        return probes.stream();
    }

    private static final long BAD = 1;
    private static final long AT_FDCWD = -100;
    private static final int EFAULT = 14;
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;
    private static final int EOPNOTSUPP = 95;
    private static final int ESOCKTNOSUPPORT = 94;

    /**
     * Issue 7: setuid/setgid modes, openat2 and xattrs, fingerprinted with a bad path or descriptor: unfiltered the
     * kernel answers EFAULT or EBADF, so EPERM/ENOSYS/EOPNOTSUPP can only be the filter's.
     */
    private static List<Probe> setidProbes() {
        List<Probe> probes = new ArrayList<>();
        for (boolean none : new boolean[] {false, true}) {
            probes.add(denied("chmod(BAD, 04755)", none, nr("chmod"), EPERM, EFAULT, BAD, 04755));
            probes.add(allowed("chmod(BAD, 0755)", none, nr("chmod"), EFAULT, EFAULT, BAD, 0755));
            probes.add(denied("fchmod(-1, 04755)", none, nr("fchmod"), EPERM, EBADF, -1, 04755));
            probes.add(denied("fchmod(-1, 02755)", none, nr("fchmod"), EPERM, EBADF, -1, 02755));
            probes.add(allowed("fchmod(-1, 01777)", none, nr("fchmod"), EBADF, EBADF, -1, 01777));
            probes.add(denied("fchmodat(AT_FDCWD, BAD, 06755)", none, nr("fchmodat"), EPERM, EFAULT, AT_FDCWD, BAD,
                    06755));
            // 452 on x86_64 and aarch64 alike: the EFAULT control proves this kernel's 452 is fchmodat2.
            probes.add(denied("fchmodat2(-1, BAD, 06755, 0)", none, nr("fchmodat2"), EPERM, EFAULT, -1, BAD, 06755,
                    0));
            probes.add(denied("fchmod(-1, 04755 | junk << 32)", none, nr("fchmod"), EPERM, EBADF, -1,
                    0xffff_0000_0000_0000L | 04755));
            probes.add(denied("open(BAD, O_CREAT, 04755)", none, nr("open"), EPERM, EFAULT, BAD, 0100, 04755));
            probes.add(denied("open(BAD, O_RDONLY, 04755): refused without O_CREAT too", none, nr("open"), EPERM,
                    EFAULT, BAD, 0, 04755));
            probes.add(allowed("open(BAD, O_CREAT, 0644)", none, nr("open"), EFAULT, EFAULT, BAD, 0100, 0644));
            probes.add(denied("openat(AT_FDCWD, BAD, O_CREAT, 02755)", none, nr("openat"), EPERM, EFAULT, AT_FDCWD,
                    BAD, 0101, 02755));
            probes.add(denied("openat(O_TMPFILE, 04755)", none, nr("openat"), EPERM, EFAULT, AT_FDCWD, BAD,
                    020200002, 04755));
            probes.add(denied("creat(BAD, 04755)", none, nr("creat"), EPERM, EFAULT, BAD, 04755));
            probes.add(denied("mkdir(BAD, 02755)", none, nr("mkdir"), EPERM, EFAULT, BAD, 02755));
            probes.add(denied("mkdirat(AT_FDCWD, BAD, 04755)", none, nr("mkdirat"), EPERM, EFAULT, AT_FDCWD, BAD,
                    04755));
            probes.add(denied("mknod(BAD, S_IFREG|04755)", none, nr("mknod"), EPERM, EFAULT, BAD, 0104755, 0));
            probes.add(denied("mknodat(AT_FDCWD, BAD, S_IFREG|02755)", none, nr("mknodat"), EPERM, EFAULT, AT_FDCWD,
                    BAD, 0102755, 0));
            probes.add(allowed("mknodat(AT_FDCWD, BAD, S_IFREG|0644)", none, nr("mknodat"), EFAULT, EFAULT, AT_FDCWD,
                    BAD, 0100644, 0));
            probes.add(denied("openat2(AT_FDCWD, BAD, BAD, 24)", none, nr("openat2"), ENOSYS, EFAULT, AT_FDCWD, BAD,
                    BAD, 24));
            probes.add(denied("setxattr(BAD, BAD, BAD, 0, 0)", none, nr("setxattr"), EOPNOTSUPP, EFAULT, BAD, BAD,
                    BAD, 0, 0));
            probes.add(denied("lsetxattr(BAD, ...)", none, nr("lsetxattr"), EOPNOTSUPP, EFAULT, BAD, BAD, BAD, 0, 0));
            probes.add(denied("fsetxattr(-1, BAD, ...)", none, nr("fsetxattr"), EOPNOTSUPP, EFAULT, -1, BAD, BAD, 0,
                    0));
            // Linux 6.13; the EFAULT control proves 463 is setxattrat here.
            probes.add(denied("setxattrat(-1, BAD, 0, BAD, BAD, 16)", none, nr("setxattrat"), EOPNOTSUPP, EFAULT,
                    -1, BAD, 0, BAD, BAD, 16));
        }
        return probes;
    }

    /** Issue 9: what landlock isolation adds, and that full isolation does not have it. */
    private static List<Probe> landlockProbes() {
        List<Probe> probes = new ArrayList<>();
        SeccompOptions.Isolation ll = SeccompOptions.Isolation.LANDLOCK;
        long key = 0x7ffffff1L;
        // SysV: a key nobody uses, without IPC_CREAT: ENOENT unfiltered.
        probes.add(denied("shmget(unused key)", false, nr("shmget"), EPERM, ENOENT, key, 1, 0).in(ll));
        probes.add(allowed("shmget(unused key), full isolation", false, nr("shmget"), ENOENT, ENOENT, key, 1, 0));
        probes.add(denied("msgget(unused key)", false, nr("msgget"), EPERM, ENOENT, key, 0).in(ll));
        probes.add(denied("semget(unused key)", false, nr("semget"), EPERM, ENOENT, key, 1, 0).in(ll));
        probes.add(denied("shmat(-1)", false, nr("shmat"), EPERM, EINVAL, -1, 0, 0).in(ll));
        probes.add(denied("mq_open(BAD)", false, nr("mq_open"), EPERM, EFAULT, BAD, 0, 0, 0).in(ll));
        // Sockets.
        probes.add(denied("socketpair(AF_UNIX, SOCK_DGRAM, 0, BAD)", false, nr("socketpair"), ESOCKTNOSUPPORT, EFAULT,
                1, 2, 0, BAD).in(ll));
        probes.add(allowed("socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, BAD)", false, nr("socketpair"), EFAULT,
                EFAULT, 1, 0x80001, 0, BAD).in(ll));
        probes.add(allowed("socketpair(AF_UNIX, SOCK_SEQPACKET, 0, BAD)", false, nr("socketpair"), EFAULT, EFAULT, 1,
                5, 0, BAD).in(ll));
        probes.add(denied("socket(AF_NETLINK, NETLINK_ROUTE)", false, nr("socket"), EAFNOSUPPORT, 0, 16, 3, 0)
                .in(ll));
        probes.add(denied("socket(AF_UNIX)", false, nr("socket"), EAFNOSUPPORT, 0, 1, 1, 0).in(ll));
        // Metadata by path; the descriptor forms stay.
        probes.add(denied("chmod(BAD, 0755)", false, nr("chmod"), EPERM, EFAULT, BAD, 0755).in(ll));
        probes.add(denied("fchmodat2(-1, BAD, 0644, 0)", false, nr("fchmodat2"), EPERM, EFAULT, -1, BAD, 0644, 0)
                .in(ll));
        probes.add(allowed("fchmod(-1, 0644)", false, nr("fchmod"), EBADF, EBADF, -1, 0644).in(ll));
        probes.add(denied("chown(BAD, -1, -1)", false, nr("chown"), EPERM, EFAULT, BAD, 0xffffffffL, 0xffffffffL)
                .in(ll));
        probes.add(denied("utimes(BAD, NULL)", false, nr("utimes"), EPERM, EFAULT, BAD, 0).in(ll));
        probes.add(denied("utimensat(AT_FDCWD, BAD, NULL, 0)", false, nr("utimensat"), EPERM, EFAULT, AT_FDCWD, BAD,
                0, 0).in(ll));
        probes.add(allowed("utimensat(-1, NULL, NULL, 0): the descriptor form", false, nr("utimensat"), EBADF, EBADF,
                -1, 0, 0, 0).in(ll));
        probes.add(denied("removexattr(BAD, BAD)", false, nr("removexattr"), EPERM, EFAULT, BAD, BAD).in(ll));
        // Other processes: a pid nobody has is ESRCH unfiltered.
        probes.add(denied("prlimit64(other pid)", false, nr("prlimit64"), EPERM, ESRCH, 0x7fffffff, 0, 0, 0).in(ll));
        probes.add(allowed("prlimit64(0, ..., BAD old)", false, nr("prlimit64"), EFAULT, EFAULT, 0, 0, 0, BAD)
                .in(ll));
        probes.add(denied("setpriority(PRIO_PROCESS, other pid)", false, nr("setpriority"), EPERM, ESRCH, 0,
                0x7fffffff, 0).in(ll));
        probes.add(denied("setpriority(PRIO_USER, unused uid)", false, nr("setpriority"), EPERM, ESRCH, 2,
                0x7ffffffe, 19).in(ll));
        probes.add(allowed("getpriority(PRIO_PROCESS, 0)", false, nr("getpriority"), 0, 0, 0, 0).in(ll));
        probes.add(denied("sched_setaffinity(other pid, BAD)", false, nr("sched_setaffinity"), EPERM, EFAULT,
                0x7fffffff, 8, BAD).in(ll));
        probes.add(allowed("sched_setaffinity(0, BAD)", false, nr("sched_setaffinity"), EFAULT, EFAULT, 0, 8, BAD)
                .in(ll));
        probes.add(denied("sched_setscheduler(other pid, BAD)", false, nr("sched_setscheduler"), EPERM, EFAULT,
                0x7fffffff, 0, BAD).in(ll));
        probes.add(denied("sched_setparam(other pid, BAD)", false, nr("sched_setparam"), EPERM, EFAULT, 0x7fffffff,
                BAD).in(ll));
        probes.add(denied("sched_setattr(other pid, BAD)", false, nr("sched_setattr"), EPERM, EFAULT, 0x7fffffff,
                BAD, 0).in(ll));
        probes.add(denied("ioprio_set(IOPRIO_WHO_PROCESS, other pid)", false, nr("ioprio_set"), EPERM, ESRCH, 1,
                0x7fffffff, 0).in(ll));
        return probes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void kernelAnswersWhatTheInterpreterPredicts(Probe probe) throws Exception {
        byte[] program = SeccompCompiler.compile(probe.options());
        int predicted = ClassicBpfInterpreter.run(program, AUDIT_ARCH_X86_64, (int) probe.nr(), probe.args());
        assertEquals(SeccompReturn.describe(probe.predicted()), SeccompReturn.describe(predicted), "interpreter");

        Path filter = probe.isolation() == SeccompOptions.Isolation.LANDLOCK ? landlockFilter
                : probe.networkNone() ? noNetworkFilter : hostNetworkFilter;
        int kernel = errnoOf(runSyscall(filter, probe));
        assertEquals(probe.kernelErrno(), kernel, "errno under the filter");
        if (predicted != ALLOW) {
            assertEquals(predicted & 0xffff, kernel, "the kernel returned the filter's errno");
        }
        if (probe.controlErrno().isPresent()) {
            assertEquals(probe.controlErrno().get(), errnoOf(runSyscall(null, probe)), "errno without a filter");
        }
    }

    @Test
    void i386EntryIsKilled() throws Exception {
        NativeToolchain.Result control = NativeToolchain.run(List.of(loader.toString(), "-", "int80",
                String.valueOf(I386_GETPID)));
        assumeTrue(control.exitCode() == 0 && control.stdout().matches("ret=[1-9][0-9]* errno=0"),
                "int $0x80 does not work on this kernel even without a filter (no IA32 emulation): " + control);
        NativeToolchain.Result filtered = NativeToolchain.run(List.of(loader.toString(), hostNetworkFilter.toString(),
                "int80", String.valueOf(I386_GETPID)));
        // Java reports death by signal N as exit value 128 + N.
        assertEquals(128 + SIGSYS, filtered.exitCode(), () -> "expected death by SIGSYS: " + filtered);
        assertEquals("", filtered.stdout());
    }

    @Test
    void threadsForksAndExecWorkUnderTheFilter() throws Exception {
        for (Path filter : new Path[] {hostNetworkFilter, noNetworkFilter, landlockFilter}) {
            // glibc's pthread_create tries clone3 first: this proves the ENOSYS fallback to clone works.
            assertEquals("ok", loader(filter, "thread").stdout());
            assertEquals("ok", loader(filter, "fork").stdout());
            assertEquals("ok", loader(filter, "exec", "/bin/sh", "-c", "echo ok").stdout());
        }
    }

    @Test
    void aJvmStartsUnderTheFilter() throws Exception {
        Optional<String> java = ProcessHandle.current().info().command();
        assumeTrue(java.isPresent(), "cannot tell which java runs this test");
        for (Path filter : new Path[] {noNetworkFilter, landlockFilter}) {
            NativeToolchain.Result result = NativeToolchain.run(List.of(loader.toString(), filter.toString(),
                    "exec", java.get(), "-Xshare:auto", "-version"));
            assertEquals(0, result.exitCode(), result::toString);
        }
    }

    private static NativeToolchain.Result loader(Path filter, String... probe) throws Exception {
        List<String> command = new ArrayList<>(List.of(loader.toString(), filter.toString()));
        command.addAll(List.of(probe));
        NativeToolchain.Result result = NativeToolchain.run(command);
        assertEquals(0, result.exitCode(), result::toString);
        return result;
    }

    private static NativeToolchain.Result runSyscall(Path filter, Probe probe) throws Exception {
        List<String> command = new ArrayList<>(List.of(loader.toString(), filter == null ? "-" : filter.toString(),
                "syscall", Long.toUnsignedString(probe.nr())));
        for (long arg : probe.args()) {
            command.add("0x" + Long.toHexString(arg));
        }
        NativeToolchain.Result result = NativeToolchain.run(command);
        assertEquals(0, result.exitCode(), () -> "loader failed: " + result);
        return result;
    }

    private static final Pattern OUTPUT = Pattern.compile("ret=(-?\\d+) errno=(\\d+)");

    private static int errnoOf(NativeToolchain.Result result) {
        Matcher matcher = OUTPUT.matcher(result.stdout());
        assertTrue(matcher.matches(), () -> "unexpected loader output: " + result);
        return Integer.parseInt(matcher.group(2));
    }

    private static long nr(String name) {
        return ExpectedPolicy.nr(Arch.X86_64, name);
    }

    private static Probe allowed(String label, boolean none, long nr, int kernelErrno, Integer control,
            long... args) {
        return new Probe(label, none, nr, args, ALLOW, kernelErrno, Optional.ofNullable(control));
    }

    private static Probe denied(String label, boolean none, long nr, int errno, Integer control, long... args) {
        return new Probe(label, none, nr, args, errno(errno), errno, Optional.ofNullable(control));
    }
}
