package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EAFNOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPERM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EOPNOTSUPP;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPROTONOSUPPORT;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.action;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** clone, personality, ioctl and socket/socketpair, whose arguments decide, on both architectures. */
class ArgumentRulesTest {

    private static final int SIGCHLD = 17;
    private static final long CLONE_VM = 0x100;
    private static final long CLONE_VFORK = 0x4000;
    /** What glibc's pthread_create passes when it falls back from clone3 to clone. */
    private static final long PTHREAD_CREATE_FLAGS = 0x003d0f00L; // VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|
                                                                  // PARENT_SETTID|CHILD_CLEARTID

    private static final int AF_UNSPEC = 0;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int AF_KEY = 15;
    private static final int AF_NETLINK = 16;
    private static final int AF_PACKET = 17;
    private static final int AF_BLUETOOTH = 31;
    private static final int AF_ALG = 38;
    private static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_RAW = 3;
    private static final long SOCK_CLOEXEC_NONBLOCK = 0x80000 | 0x800;

    private static final long HIGH_BITS = 0xdead0000_00000000L | 0x0000dead_00000000L;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Arch arch : Arch.values()) {
            for (int variant = 0; variant < 6; variant++) {
                boolean networkNone = (variant & 1) != 0;
                SeccompOptions.Isolation isolation = SeccompOptions.Isolation.values()[variant / 2];
                boolean unixDenied = isolation == SeccompOptions.Isolation.LANDLOCK;
                SeccompOptions options = new SeccompOptions(arch, networkNone, isolation);
                // clone: threads, fork and vfork pass; any namespace flag is refused.
                add(cases, options, "thread", ALLOW, "clone", PTHREAD_CREATE_FLAGS, 0x7f0000000000L, 0, 0, 0);
                add(cases, options, "fork", ALLOW, "clone", SIGCHLD, 0, 0, 0, 0);
                // glibc fork(): CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
                add(cases, options, "glibc fork", ALLOW, "clone", 0x01200011, 0, 0, 0x7f0000001000L, 0);
                add(cases, options, "vfork", ALLOW, "clone", CLONE_VM | CLONE_VFORK | SIGCHLD);
                add(cases, options, "no flags", ALLOW, "clone", 0);
                for (long flag : new long[] {0x80, 0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
                        0x20000000, 0x40000000}) {
                    add(cases, options, String.format("CLONE_NEW* 0x%x", flag), errno(EPERM), "clone", flag);
                    add(cases, options, String.format("fork | 0x%x", flag), errno(EPERM), "clone", flag | SIGCHLD);
                    add(cases, options, String.format("thread | 0x%x", flag), errno(EPERM), "clone",
                            flag | PTHREAD_CREATE_FLAGS);
                }
                add(cases, options, "all namespaces", errno(EPERM), "clone", 0x7e020000L | SIGCHLD);
                // The kernel keeps only lower_32_bits(flags): a namespace bit up there creates nothing.
                add(cases, options, "NEWUSER in the ignored high word", ALLOW, "clone", 0x10000000L << 32 | SIGCHLD);

                add(cases, options, "PER_LINUX", ALLOW, "personality", 0);
                add(cases, options, "query", ALLOW, "personality", 0xffffffffL);
                add(cases, options, "query, sign-extended", ALLOW, "personality", -1L);
                add(cases, options, "PER_LINUX with high bits", ALLOW, "personality", 0x1_00000000L);
                add(cases, options, "PER_LINUX32", errno(EPERM), "personality", 0x0008);
                add(cases, options, "ADDR_NO_RANDOMIZE", errno(EPERM), "personality", 0x0040000);
                add(cases, options, "READ_IMPLIES_EXEC", errno(EPERM), "personality", 0x0400000);
                add(cases, options, "PER_LINUX32 with high bits", errno(EPERM), "personality", HIGH_BITS | 8);

                add(cases, options, "TCGETS", ALLOW, "ioctl", 0, 0x5401, 0);
                add(cases, options, "FIONREAD", ALLOW, "ioctl", 3, 0x541b, 0);
                add(cases, options, "TIOCSTI", errno(EPERM), "ioctl", 0, 0x5412, 0);
                add(cases, options, "TIOCLINUX", errno(EPERM), "ioctl", 0, 0x541c, 0);
                add(cases, options, "TIOCSTI with high bits (CVE-2019-10063)", errno(EPERM), "ioctl", 0,
                        0xdead00005412L, 0);
                add(cases, options, "TIOCSTI, all high bits", errno(EPERM), "ioctl", 0, 0xffffffff00005412L, 0);
                add(cases, options, "TIOCLINUX with high bits", errno(EPERM), "ioctl", 0, HIGH_BITS | 0x541c, 0);
                add(cases, options, "TIOCSTI in the fd, not the request", ALLOW, "ioctl", 0x5412, 0x5401, 0);
                add(cases, options, "TIOCSETD", errno(EPERM), "ioctl", 3, 0x5423, 0x7ffd00001000L);
                add(cases, options, "TIOCSETD with high bits", errno(EPERM), "ioctl", 3, HIGH_BITS | 0x5423, 0);
                add(cases, options, "TIOCGETD", ALLOW, "ioctl", 3, 0x5424, 0x7ffd00001000L);

                // Preallocation outran the home's size watch: only modes that allocate nothing pass.
                add(cases, options, "fallocate mode 0", errno(EOPNOTSUPP), "fallocate", 3, 0, 0, 1L << 30);
                add(cases, options, "fallocate KEEP_SIZE", errno(EOPNOTSUPP), "fallocate", 3, 0x01, 0, 1L << 30);
                add(cases, options, "fallocate ZERO_RANGE", errno(EOPNOTSUPP), "fallocate", 3, 0x10, 0, 1L << 30);
                add(cases, options, "fallocate UNSHARE_RANGE", errno(EOPNOTSUPP), "fallocate", 3, 0x40, 0, 1L << 30);
                add(cases, options, "fallocate WRITE_ZEROES", errno(EOPNOTSUPP), "fallocate", 3, 0x80, 0, 1L << 30);
                add(cases, options, "fallocate mode 0 with high bits", errno(EOPNOTSUPP), "fallocate", 3, HIGH_BITS, 0, 1);
                add(cases, options, "fallocate PUNCH_HOLE|KEEP_SIZE", ALLOW, "fallocate", 3, 0x03, 0, 4096);
                add(cases, options, "fallocate COLLAPSE_RANGE", ALLOW, "fallocate", 3, 0x08, 0, 4096);
                add(cases, options, "fallocate INSERT_RANGE", ALLOW, "fallocate", 3, 0x20, 0, 4096);
                add(cases, options, "FS_IOC_RESVSP", errno(EOPNOTSUPP), "ioctl", 3, 0x40305828, 0);
                add(cases, options, "FS_IOC_RESVSP64", errno(EOPNOTSUPP), "ioctl", 3, 0x4030582a, 0);
                add(cases, options, "FS_IOC_RESVSP64 with high bits", errno(EOPNOTSUPP), "ioctl", 3, HIGH_BITS | 0x4030582aL, 0);
                add(cases, options, "FS_IOC_ZERO_RANGE", errno(EOPNOTSUPP), "ioctl", 3, 0x40305839, 0);
                add(cases, options, "XFS_IOC_ALLOCSP64", errno(EOPNOTSUPP), "ioctl", 3, 0x40305824, 0);
                add(cases, options, "FS_IOC_UNRESVSP64 (frees)", ALLOW, "ioctl", 3, 0x4030582b, 0);

                int inet = networkNone ? errno(EAFNOSUPPORT) : ALLOW;
                for (String syscall : new String[] {"socket", "socketpair"}) {
                    // Without a mount namespace socket(AF_UNIX) could reach any pathname socket; a pair cannot.
                    int unix = unixDenied && syscall.equals("socket") ? errno(EAFNOSUPPORT) : ALLOW;
                    add(cases, options, "AF_UNIX", unix, syscall, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC_NONBLOCK, 0);
                    add(cases, options, "AF_INET", inet, syscall, AF_INET, SOCK_STREAM, 0);
                    add(cases, options, "AF_INET6", inet, syscall, AF_INET6, SOCK_STREAM, 0);
                    add(cases, options, "AF_INET with high bits", inet, syscall, HIGH_BITS | AF_INET, 1, 0);
                    // Without a network namespace (landlock isolation) even NETLINK_ROUTE would show the host's.
                    int route = unixDenied ? errno(EAFNOSUPPORT) : ALLOW;
                    int otherNetlink = unixDenied ? errno(EAFNOSUPPORT) : errno(EPROTONOSUPPORT);
                    add(cases, options, "AF_NETLINK ROUTE", route, syscall, AF_NETLINK, SOCK_RAW, 0);
                    add(cases, options, "AF_NETLINK AUDIT", otherNetlink, syscall, AF_NETLINK, SOCK_RAW, 9);
                    add(cases, options, "AF_NETLINK KOBJECT_UEVENT", otherNetlink, syscall, AF_NETLINK,
                            SOCK_RAW, 15);
                    add(cases, options, "AF_NETLINK ROUTE, high bits in protocol", route, syscall, AF_NETLINK,
                            SOCK_RAW, HIGH_BITS);
                    add(cases, options, "AF_UNIX, high bits", unix, syscall, HIGH_BITS | AF_UNIX, SOCK_STREAM, 0);
                    for (long family : new long[] {AF_UNSPEC, AF_KEY, AF_PACKET, AF_BLUETOOTH, AF_ALG, AF_VSOCK, 3,
                            255, 0xffffffffL}) {
                        add(cases, options, "family " + family, errno(EAFNOSUPPORT), syscall, family, SOCK_STREAM, 0);
                    }
                    add(cases, options, "AF_VSOCK with high bits", errno(EAFNOSUPPORT), syscall,
                            HIGH_BITS | AF_VSOCK, SOCK_STREAM, 0);
                    // AF_UNIX's number in the high word only: the kernel sees AF_VSOCK.
                    add(cases, options, "AF_VSOCK with AF_UNIX in the high word", errno(EAFNOSUPPORT), syscall,
                            1L << 32 | AF_VSOCK, SOCK_STREAM, 0);
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
