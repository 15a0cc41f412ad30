package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EAFNOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPERM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ESOCKTNOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.action;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9: the argument-checked rules of landlock isolation (datagram socketpairs, utimensat's path form, calls
 * aimed at other processes), on both architectures, and that full and reduced isolation do not get them.
 */
class LandlockRulesTest {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_SEQPACKET = 5;
    private static final long SOCK_NONBLOCK = 0x800;
    private static final long SOCK_CLOEXEC = 0x80000;
    private static final long HIGH = 0xdead_0000_0000L;
    private static final int PRIO_PROCESS = 0;
    private static final int PRIO_PGRP = 1;
    private static final int PRIO_USER = 2;
    private static final int IOPRIO_WHO_PROCESS = 1;
    private static final int IOPRIO_WHO_USER = 3;
    private static final long PTR = 0x7ffd_1234_5000L;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Arch arch : Arch.values()) {
            for (SeccompOptions.Isolation isolation : SeccompOptions.Isolation.values()) {
                for (boolean none : new boolean[] {false, true}) {
                    SeccompOptions o = new SeccompOptions(arch, none, isolation);
                    boolean ll = isolation == SeccompOptions.Isolation.LANDLOCK;
                    int onlyLl = ll ? errno(EPERM) : ALLOW;

                    // socketpair(AF_UNIX): connected types only, in landlock isolation.
                    for (long flags : new long[] {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC}) {
                        add(cases, o, "stream " + flags, ALLOW, "socketpair", AF_UNIX, SOCK_STREAM | flags, 0, PTR);
                        add(cases, o, "seqpacket " + flags, ALLOW, "socketpair", AF_UNIX, SOCK_SEQPACKET | flags, 0,
                                PTR);
                        add(cases, o, "dgram " + flags, ll ? errno(ESOCKTNOSUPPORT) : ALLOW, "socketpair", AF_UNIX,
                                SOCK_DGRAM | flags, 0, PTR);
                    }
                    add(cases, o, "stream, high word junk", ALLOW, "socketpair", AF_UNIX, HIGH | SOCK_STREAM, 0, PTR);
                    add(cases, o, "dgram, STREAM in the high word", ll ? errno(ESOCKTNOSUPPORT) : ALLOW, "socketpair",
                            AF_UNIX, (long) SOCK_STREAM << 32 | SOCK_DGRAM, 0, PTR);
                    add(cases, o, "raw", ll ? errno(ESOCKTNOSUPPORT) : ALLOW, "socketpair", AF_UNIX, SOCK_RAW, 0,
                            PTR);
                    add(cases, o, "stream with an unknown flag", ll ? errno(ESOCKTNOSUPPORT) : ALLOW, "socketpair",
                            AF_UNIX, SOCK_STREAM | 0x40000000L, 0, PTR);
                    add(cases, o, "socket(AF_UNIX)", ll ? errno(EAFNOSUPPORT) : ALLOW, "socket", AF_UNIX,
                            SOCK_DGRAM, 0);

                    // utimensat: the descriptor form (pathname NULL) stays; any path goes in landlock isolation.
                    add(cases, o, "fd form", ALLOW, "utimensat", 3, 0, PTR, 0);
                    add(cases, o, "fd form, dfd AT_FDCWD", ALLOW, "utimensat", 0xffffff9cL, 0, 0, 0);
                    add(cases, o, "path", onlyLl, "utimensat", 0xffffff9cL, PTR, PTR, 0);
                    add(cases, o, "path, low word zero", onlyLl, "utimensat", 3, 0x7ffd_0000_0000L, 0, 0);
                    add(cases, o, "path, high word zero", onlyLl, "utimensat", 3, 0x5000, 0, 0);
                    add(cases, o, "empty path AT_EMPTY_PATH", onlyLl, "utimensat", 3, PTR, 0, 0x1000);

                    // Other processes: pid 0 (self) only.
                    for (String call : new String[] {"prlimit64", "sched_setaffinity", "sched_setscheduler",
                            "sched_setparam", "sched_setattr"}) {
                        add(cases, o, "self", ALLOW, call, 0, 7, PTR, PTR);
                        add(cases, o, "self, high word junk", ALLOW, call, HIGH, 7, PTR, PTR);
                        add(cases, o, "pid 1", onlyLl, call, 1, 7, PTR, PTR);
                        add(cases, o, "pid 4242", onlyLl, call, 4242, 7, 0, PTR);
                        add(cases, o, "pid -1", onlyLl, call, 0xffff_ffffL, 7, 0, PTR);
                        add(cases, o, "pid 4242 behind high 0", onlyLl, call, HIGH | 4242, 0, 0, 0);
                    }
                    for (String call : new String[] {"setpriority", "getpriority"}) {
                        add(cases, o, "PRIO_PROCESS self", ALLOW, call, PRIO_PROCESS, 0, 10);
                        add(cases, o, "PRIO_PROCESS self, high junk", ALLOW, call, HIGH | PRIO_PROCESS, HIGH, 10);
                        add(cases, o, "PRIO_PROCESS other", onlyLl, call, PRIO_PROCESS, 4242, 10);
                        add(cases, o, "PRIO_PGRP own group", onlyLl, call, PRIO_PGRP, 0, 10);
                        add(cases, o, "PRIO_USER own uid", onlyLl, call, PRIO_USER, 0, 10);
                        add(cases, o, "PRIO_USER 1000", onlyLl, call, PRIO_USER, 1000, 10);
                    }
                    add(cases, o, "IOPRIO_WHO_PROCESS self", ALLOW, "ioprio_set", IOPRIO_WHO_PROCESS, 0, 0x4000);
                    add(cases, o, "IOPRIO_WHO_PROCESS other", onlyLl, "ioprio_set", IOPRIO_WHO_PROCESS, 4242, 0);
                    add(cases, o, "IOPRIO_WHO_USER", onlyLl, "ioprio_set", IOPRIO_WHO_USER, 0, 0);
                    add(cases, o, "which 0 (invalid), who 0", onlyLl, "ioprio_set", 0, 0, 0);
                }
            }
        }
        return cases.build();
    }

    private static void add(Stream.Builder<Arguments> cases, SeccompOptions options, String label, int expected,
            String syscall, long... args) {
        cases.add(Arguments.of(options, syscall, label, expected, args));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("cases")
    void argumentsDecide(SeccompOptions options, String syscall, String label, int expected, long[] args) {
        assertEquals(SeccompReturn.describe(expected), SeccompReturn.describe(action(options, syscall, args)));
    }
}
