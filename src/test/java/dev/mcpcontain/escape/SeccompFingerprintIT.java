package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The seccomp deny-list, syscall by syscall, as the kernel applies it. The list comes from {@code run --dry-run}
 * (what the launcher compiled), so a syscall added to the policy is tested at once, and the probe fails with ERROR
 * for any it cannot fingerprint. Each call is made with harmless bad arguments: unconfined, the kernel answers
 * EFAULT/EBADF/EINVAL/ESRCH/... (the root control shows it), contained the filter answers the policy's errno
 * first. The two must differ, or the test would not show the filter at all.
 */
class SeccompFingerprintIT {

    // linux/socket.h, linux/netlink.h
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int AF_NETLINK = 16;
    private static final int AF_PACKET = 17;
    private static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int NETLINK_AUDIT = 9;

    /** Argument-checked rules: step → (probe command, expected result with network none). */
    private record Rule(String label, List<Object> command, String expected) {}

    private static List<Rule> argumentRules() {
        return List.of(
                new Rule("clone", List.of("syscall", "clone"), "errno=EPERM"),
                new Rule("personality", List.of("syscall", "personality"), "errno=EPERM"),
                new Rule("ioctl-TIOCSTI", List.of("syscall", "ioctl-TIOCSTI"), "errno=EPERM"),
                new Rule("ioctl-TIOCSTI-high", List.of("syscall", "ioctl-TIOCSTI-high"), "errno=EPERM"),
                new Rule("ioctl-TIOCLINUX", List.of("syscall", "ioctl-TIOCLINUX"), "errno=EPERM"),
                new Rule("ioctl-TIOCLINUX-high", List.of("syscall", "ioctl-TIOCLINUX-high"), "errno=EPERM"),
                new Rule("socket-inet", List.of("socket", AF_INET, SOCK_STREAM, 0), "errno=EAFNOSUPPORT"),
                new Rule("socket-inet6", List.of("socket", AF_INET6, SOCK_DGRAM, 0), "errno=EAFNOSUPPORT"),
                new Rule("socket-packet", List.of("socket", AF_PACKET, SOCK_RAW, 0), "errno=EAFNOSUPPORT"),
                new Rule("socket-packet-high-bits", List.of("socket", "0xffffffff00000011", SOCK_RAW, 0), "errno=EAFNOSUPPORT"),
                new Rule("socket-vsock", List.of("socket", AF_VSOCK, SOCK_STREAM, 0), "errno=EAFNOSUPPORT"),
                new Rule("socket-netlink-audit", List.of("socket", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), "errno=EPROTONOSUPPORT"),
                new Rule("socketpair-inet", List.of("socketpair", AF_INET, SOCK_STREAM, 0), "errno=EAFNOSUPPORT"),
                new Rule("int80", List.of("int80"), "signal=SIGSYS"),
                new Rule("x32", List.of("x32"), "errno=ENOSYS"));
    }

    /** What must keep working: the filter is a deny-list, not a wall. */
    private static final Map<String, List<Object>> STILL_ALLOWED = Map.of(
            "socket-unix", List.of("socket", AF_UNIX, SOCK_STREAM, 0),
            "socketpair-unix", List.of("socketpair", AF_UNIX, SOCK_STREAM, 0),
            "socket-netlink-route", List.of("socket", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
            "fork", List.of("clone-ns", "none"));

    @TestFactory
    Stream<DynamicNode> fingerprints() {
        EscapeSuite suite = EscapeSuite.get();
        boolean x86 = System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64");
        Lazy<Map<String, String>> policy = Lazy.of(() ->
                suite.launch(suite.identities().get(0), "seccomp-policy").probe(Steps.of()).dryRun().seccompDenials());
        Lazy<Steps> steps = Lazy.of(() -> {
            Steps s = Steps.of();
            policy.get().keySet().forEach(name -> s.add("sc-" + name, "syscall", name));
            for (Rule rule : argumentRules()) {
                if (x86 || !(rule.label().equals("int80") || rule.label().equals("x32"))) {
                    s.add(rule.label(), String.valueOf(rule.command().get(0)), rule.command().subList(1, rule.command().size()).toArray());
                }
            }
            STILL_ALLOWED.forEach((label, command) -> s.add(label, String.valueOf(command.get(0)), command.subList(1, command.size()).toArray()));
            return s;
        });
        Lazy<RunResult> rootControl = Lazy.of(() -> {
            EscapeSuite.requireThat(suite.suiteIsRoot(), "the fingerprint's control runs as root (no capability check answers first)");
            return suite.controlAsRoot(steps.get());
        });
        Lazy<Map<String, String>> expected = Lazy.of(() -> {
            Map<String, String> all = new LinkedHashMap<>();
            policy.get().forEach((name, errno) -> all.put("sc-" + name, "errno=" + errno));
            argumentRules().forEach(r -> all.put(r.label(), r.expected()));
            return all;
        });

        // The filter does not depend on who launches: its fingerprint against unconfined root is checked once.
        List<DynamicNode> shared = new ArrayList<>();
        shared.add(dynamicTestNamed("the dry run lists the deny-list (at least 60 plain rules)", () ->
                assertTrue(policy.get().size() >= 60, "deny rules: " + policy.get().keySet())));
        Lazy<RunResult> anyContained = Lazy.of(() -> suite.launch(suite.identities().get(0), "seccomp-reference")
                .probe(steps.get()).run());
        for (String label : expected.get().keySet()) {
            if (!x86 && (label.equals("int80") || label.equals("x32"))) {
                continue;
            }
            String name = label.startsWith("sc-") ? label.substring(3) : label;
            shared.add(dynamicTestNamed("[root control] " + name + ": unconfined root gets a different answer than "
                    + expected.get().get(label), () -> {
                ProbeLine outside = rootControl.get().line(label);
                if (label.equals("x32")) {
                    // Documented exception (README, "How it is tested"): a legitimate skip on such a kernel, even
                    // under CI=true, since there is no x32 entry to defend and no control can exist.
                    Assumptions.assumeFalse(outside.outcome().equals("errno=ENOSYS"), "this kernel has no x32 ABI"
                            + " (ENOSYS unconfined too): nothing to escape through, and the filter's answer cannot be told apart");
                }
                assertDistinct(label, anyContained.get().line(label), rootControl.get());
            }));
        }
        return Stream.concat(Stream.of(org.junit.jupiter.api.DynamicContainer.dynamicContainer(
                "the filter's fingerprint against unconfined root", shared)), suite.identities().stream().map(id -> {
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "seccomp").probe(steps.get()).run());
            Lazy<RunResult> hostNetwork = Lazy.of(() -> suite.launch(id, "seccomp-net").option("--network", "host")
                    .probe(Steps.of().add("socket-inet", "socket", AF_INET, SOCK_STREAM, 0)
                            .add("socket-inet6", "socket", AF_INET6, SOCK_DGRAM, 0)
                            .add("socket-packet", "socket", AF_PACKET, SOCK_RAW, 0)).run());
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe fingerprinted every syscall (no ERROR: every name is known to it)", () ->
                    contained.get().assertProbeCompleted(steps.get().labels())));
            for (String label : expected.get().keySet()) {
                if (!x86 && (label.equals("int80") || label.equals("x32"))) {
                    continue;
                }
                String want = expected.get().get(label);
                String name = label.startsWith("sc-") ? label.substring(3) : label;
                tests.add(Named.test(id, name + ": " + want, () -> {
                    if (want.startsWith("signal=")) {
                        contained.get().assertKilledBy(label, want.substring("signal=".length()));
                    } else {
                        contained.get().assertDenied(label, want.substring("errno=".length()));
                    }
                }));
            }
            tests.add(Named.test(id, "still allowed: AF_UNIX socket/socketpair, NETLINK_ROUTE, fork", () -> {
                for (String label : STILL_ALLOWED.keySet()) {
                    contained.get().assertAllowed(label);
                }
            }));
            tests.add(Named.test(id, "control: with --network host, AF_INET/AF_INET6 sockets work; AF_PACKET stays denied", () -> {
                hostNetwork.get().assertAllowed("socket-inet");
                hostNetwork.get().assertAllowed("socket-inet6");
                hostNetwork.get().assertDenied("socket-packet", "EAFNOSUPPORT");
            }));
            return Named.group(id, tests);
        }));
    }

    /**
     * {@code --isolation landlock} adds plain denials (host SysV IPC and message queues, metadata by path): the same
     * fingerprint for each rule only that mode's dry run lists, against unconfined root and in a landlock launch.
     */
    @TestFactory
    Stream<DynamicNode> landlockFingerprints() {
        EscapeSuite suite = EscapeSuite.get();
        Lazy<Map<String, String>> extra = Lazy.of(() -> {
            Identity first = suite.identities().get(0);
            Map<String, String> full = suite.launch(first, "seccomp-policy-full").probe(Steps.of()).dryRun()
                    .seccompDenials();
            Map<String, String> landlock = new LinkedHashMap<>(suite.launch(first, "seccomp-policy-landlock")
                    .landlockAccepting().probe(Steps.of()).dryRun().seccompDenials());
            landlock.keySet().removeAll(full.keySet());
            return landlock;
        });
        Lazy<Steps> steps = Lazy.of(() -> {
            Steps s = Steps.of();
            extra.get().keySet().forEach(name -> s.add("sc-" + name, "syscall", name));
            return s;
        });
        Lazy<RunResult> rootControl = Lazy.of(() -> {
            EscapeSuite.requireThat(suite.suiteIsRoot(), "the fingerprint's control runs as root");
            return suite.controlAsRoot(steps.get());
        });
        List<DynamicNode> nodes = new ArrayList<>();
        nodes.add(dynamicTestNamed("the landlock dry run lists host IPC and metadata-by-path denials", () -> {
            for (String name : List.of("shmget", "msgget", "semget", "mq_open", "fchmodat", "fchownat",
                    "removexattr")) {
                assertTrue(extra.get().containsKey(name), () -> name + " not in " + extra.get().keySet());
            }
        }));
        nodes.add(dynamicTestNamed("[root control] every landlock-only rule gets another answer unconfined", () -> {
            for (String name : extra.get().keySet()) {
                ProbeLine outside = rootControl.get().line("sc-" + name);
                assertNotEquals(ProbeLine.Kind.ERROR, outside.kind(), rootControl.get()::toString);
                assertNotEquals("errno=" + extra.get().get(name), outside.outcome(), () -> name + " unconfined: "
                        + outside.raw());
            }
        }));
        for (Identity id : suite.identities()) {
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "seccomp-landlock")
                    .landlockAccepting().probe(steps.get()).run());
            nodes.add(Named.test(id, "landlock isolation: every landlock-only rule answers its errno", () -> {
                contained.get().assertProbeCompleted(steps.get().labels());
                extra.get().forEach((name, errno) -> contained.get().assertDenied("sc-" + name, errno));
            }));
        }
        return nodes.stream();
    }

    private static void assertDistinct(String label, ProbeLine inside, RunResult control) {
        ProbeLine outside = control.line(label);
        assertNotEquals(ProbeLine.Kind.ERROR, outside.kind(), control::toString);
        assertNotEquals(inside.outcome(), outside.outcome(),
                () -> label + " gives the same answer unconfined: the fingerprint does not show the filter\n" + control);
    }

    private static DynamicNode dynamicTestNamed(String name, org.junit.jupiter.api.function.Executable body) {
        return org.junit.jupiter.api.DynamicTest.dynamicTest(name, body);
    }
}
