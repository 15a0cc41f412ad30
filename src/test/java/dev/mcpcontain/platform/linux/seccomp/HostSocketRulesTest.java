package dev.mcpcontain.platform.linux.seccomp;

import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ALLOW;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.ENOSYS;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.EPERM;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.action;
import static dev.mcpcontain.platform.linux.seccomp.ExpectedPolicy.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a socket made in the host's network namespace can still reach: network-device ioctls (refused in full
 * isolation unless the network is the host's, and always in landlock isolation, like netlink), and in landlock isolation without network the host's abstract unix names
 * (bind, connect, SO_PASSCRED/SO_PASSPIDFD autobind) and the host's mount table. Every network mode, both
 * architectures; values written out from the uapi headers.
 */
class HostSocketRulesTest {

    private static final long HIGH = 0xdead_0000_0000L;
    private static final long PTR = 0x7ffd_1234_5000L;
    private static final int SOL_SOCKET = 1;
    private static final int SOL_TCP = 6;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_PASSCRED = 16;
    private static final int SO_PASSPIDFD = 76;
    private static final int SO_RCVBUF = 8;

    enum Network { NONE, ALLOW_LIST, HOST }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Arch arch : Arch.values()) {
            for (SeccompOptions.Isolation isolation : SeccompOptions.Isolation.values()) {
                for (Network network : Network.values()) {
                    SeccompOptions o = new SeccompOptions(arch, network == Network.NONE, isolation,
                            network == Network.HOST);
                    boolean hidden = isolation == SeccompOptions.Isolation.LANDLOCK
                            || (isolation == SeccompOptions.Isolation.FULL && network != Network.HOST);
                    int device = hidden ? errno(EPERM) : ALLOW;
                    add(cases, o, "SIOCGIFCONF", device, "ioctl", 0, 0x8912, PTR);
                    add(cases, o, "SIOCGIFNAME (first)", device, "ioctl", 0, 0x8910, PTR);
                    add(cases, o, "SIOCGIFHWADDR", device, "ioctl", 0, 0x8927, PTR);
                    add(cases, o, "SIOCETHTOOL", device, "ioctl", 0, 0x8946, PTR);
                    add(cases, o, "SIOCDEVPRIVATE+15 (last)", device, "ioctl", 0, 0x89ff, PTR);
                    add(cases, o, "SIOCGIWNAME (first wireless)", device, "ioctl", 0, 0x8b01, PTR);
                    add(cases, o, "SIOCGIWESSID", device, "ioctl", 0, 0x8b1b, PTR);
                    add(cases, o, "0x8b00", device, "ioctl", 0, 0x8b00, PTR);
                    add(cases, o, "0x8bff (last wireless)", device, "ioctl", 0, 0x8bff, PTR);
                    add(cases, o, "SIOCGIFCONF with high bits", device, "ioctl", 0, HIGH | 0x8912, PTR);
                    add(cases, o, "FIOSETOWN", ALLOW, "ioctl", 0, 0x8901, PTR);
                    add(cases, o, "SIOCATMARK", ALLOW, "ioctl", 0, 0x8905, PTR);
                    add(cases, o, "SIOCGSTAMPNS", ALLOW, "ioctl", 0, 0x8907, PTR);
                    add(cases, o, "0x890f", ALLOW, "ioctl", 0, 0x890f, PTR);
                    add(cases, o, "0x8a00", ALLOW, "ioctl", 0, 0x8a00, PTR);
                    add(cases, o, "0x8aff", ALLOW, "ioctl", 0, 0x8aff, PTR);
                    add(cases, o, "0x8c00", ALLOW, "ioctl", 0, 0x8c00, PTR);
                    add(cases, o, "FIONREAD", ALLOW, "ioctl", 0, 0x541b, PTR);
                    add(cases, o, "_IOR with 0x8912 in the low half", ALLOW, "ioctl", 0, 0x80088912L, PTR);
                    add(cases, o, "SIOCGIFCONF number as the fd", ALLOW, "ioctl", 0x8912, 0x541b, PTR);
                    // TIOCSTI is still denied behind the new rule.
                    add(cases, o, "TIOCSTI", errno(EPERM), "ioctl", 0, 0x5412, PTR);

                    boolean llNone = isolation == SeccompOptions.Isolation.LANDLOCK && network == Network.NONE;
                    int abstractNames = llNone ? errno(EPERM) : ALLOW;
                    add(cases, o, "bind", abstractNames, "bind", 3, PTR, 2);
                    add(cases, o, "connect", abstractNames, "connect", 3, PTR, 110);
                    add(cases, o, "SO_PASSCRED", abstractNames, "setsockopt", 3, SOL_SOCKET, SO_PASSCRED, PTR, 4);
                    add(cases, o, "SO_PASSPIDFD", abstractNames, "setsockopt", 3, SOL_SOCKET, SO_PASSPIDFD, PTR, 4);
                    add(cases, o, "SO_PASSCRED, high words", abstractNames, "setsockopt", 3, HIGH | SOL_SOCKET,
                            HIGH | SO_PASSCRED, PTR, 4);
                    add(cases, o, "SO_REUSEADDR", ALLOW, "setsockopt", 3, SOL_SOCKET, SO_REUSEADDR, PTR, 4);
                    add(cases, o, "SO_RCVBUF", ALLOW, "setsockopt", 3, SOL_SOCKET, SO_RCVBUF, PTR, 4);
                    add(cases, o, "SO_PASSCRED's number at SOL_TCP", ALLOW, "setsockopt", 3, SOL_TCP, SO_PASSCRED,
                            PTR, 4);

                    int mounts = isolation == SeccompOptions.Isolation.LANDLOCK ? errno(ENOSYS) : ALLOW;
                    add(cases, o, "listmount", mounts, "listmount", PTR, PTR, 512, 0);
                    add(cases, o, "statmount", mounts, "statmount", PTR, PTR, 4096, 0);
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
