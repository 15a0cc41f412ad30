package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 9: what {@code --isolation landlock} shares with the host because it has no namespaces, and the seccomp
 * rules that close it: SysV IPC and message queues, unix datagram socketpairs addressed at a host socket, netlink,
 * priority/affinity/limit calls aimed at another process of the same uid, and metadata changes by path (Landlock
 * has no right for them). Every attempt has its control: the same probe step by the server's uid, unconfined,
 * against the same host object, which must work.
 */
class LandlockSharedHostIT {

    private record Setup(Path grant, Path outside, Path socket, int shmKey, String shmText, long victim) {}

    private static final String DOWNLOAD_URL = "https://bank.example/statement?account=4711";

    @TestFactory
    Stream<DynamicNode> sharedHost() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            String tag = EscapeSuite.randomHex(4);
            Lazy<Setup> setup = Lazy.of(() -> setUp(suite, id, tag));
            Lazy<Steps> steps = Lazy.of(() -> attempts(setup.get(), "contained-" + tag, "/mcp-contain-mq-" + tag));
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "landlock-shared").landlockAccepting().grant(setup.get().grant(), "rw").probe(steps.get()).run());
            // The control runs after the contained attempts, against the same host objects.
            Lazy<RunResult> control = Lazy.of(() -> {
                contained.get();
                return suite.control(id, attempts(setup.get(), "control-" + tag, "/mcp-contain-mqc-" + tag));
            });
            Lazy<String> received = Lazy.of(() -> {
                control.get();
                Running l = hostListener(suite, setup.get());
                return l.awaitLine(line -> line.equals("RECEIVED control-" + tag + "-dgram-sendto"),
                        Duration.ofSeconds(20), "the control's datagram");
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () ->
                    contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "SysV shm/msg/sem and POSIX mq: EPERM; control: the server's uid creates them",
                    () -> {
                        for (String label : List.of("shmget", "msgget", "semget", "mq-open")) {
                            contained.get().assertDenied(label, "EPERM");
                            control.get().assertAllowed(label);
                        }
                    }));
            tests.add(Named.test(id, "a host shm segment: EPERM; control: its text is readable", () -> {
                contained.get().assertDenied("shm-attach", "EPERM");
                assertEquals("text=" + setup.get().shmText(), control.get().assertAllowed("shm-attach").detail());
            }));
            tests.add(Named.test(id, "socketpair(AF_UNIX, SOCK_DGRAM) + sendto(host socket): ESOCKTNOSUPPORT;"
                    + " control: the datagram reaches the host socket", () -> {
                ProbeLine line = contained.get().assertDenied("dgram-sendto", "ESOCKTNOSUPPORT");
                assertEquals("at=socketpair", line.detail());
                assertEquals("to=" + setup.get().socket(), control.get().assertAllowed("dgram-sendto").detail());
                received.get();
            }));
            // Without the filter connect() looks the address up before it checks the socket's state (EPROTOTYPE to a
            // datagram socket, EISCONN to a stream one); with network none the filter refuses it first.
            tests.add(Named.test(id, "stream socketpair with an address: sendto/sendmsg EISCONN (from the kernel),"
                    + " connect EPERM (seccomp: without network connect has no use, and it would autobind)", () -> {
                contained.get().assertDenied("stream-sendto", "EISCONN");
                contained.get().assertDenied("stream-sendmsg", "EISCONN");
                contained.get().assertDenied("stream-connect", "EPERM");
            }));
            tests.add(Named.test(id, "seqpacket socketpair with an address: the kernel ignores it and delivers to"
                    + " the peer; connect: EPERM", () -> {
                assertEquals("to=peer", contained.get().assertAllowed("seqpacket-sendto").detail());
                assertEquals("to=peer", contained.get().assertAllowed("seqpacket-sendmsg").detail());
                contained.get().assertDenied("seqpacket-connect", "EPERM");
            }));
            tests.add(Named.test(id, "no contained datagram ever reached the host socket", () -> {
                received.get();
                String all = hostListener(suite, setup.get()).stdout();
                assertFalse(all.contains("RECEIVED contained-"), all);
                assertTrue(all.contains("RECEIVED control-" + tag + "-dgram-sendto"), all);
            }));
            tests.add(Named.test(id, "netlink: EAFNOSUPPORT (no host interfaces); control: listed", () -> {
                contained.get().assertDenied("netlink-route", "EAFNOSUPPORT");
                contained.get().assertDenied("interfaces", "EAFNOSUPPORT");
                control.get().assertAllowed("netlink-route");
                assertTrue(control.get().line("interfaces").detail().contains("lo"), control.get()::toString);
            }));
            for (String call : List.of("prlimit", "setpriority", "sched-setaffinity", "ioprio-set")) {
                tests.add(Named.test(id, call + " on another process of the same uid: EPERM; on itself: works;"
                        + " control: works on that process", () -> {
                    contained.get().assertDenied(call + "-other", "EPERM");
                    contained.get().assertAllowed(call + "-self");
                    control.get().assertAllowed(call + "-other");
                }));
            }
            tests.add(Named.test(id, "metadata by path outside the grants (chmod, chown, utimensat, removexattr):"
                    + " EPERM, setxattr EOPNOTSUPP; control: the owner changes them", () -> {
                contained.get().assertDenied("read-outside", "EACCES");
                for (String label : List.of("chmod-outside", "chown-outside", "utimensat-outside",
                        "removexattr-outside")) {
                    contained.get().assertDenied(label, "EPERM");
                    control.get().assertAllowed(label);
                }
                contained.get().assertDenied("setxattr-outside", "EOPNOTSUPP");
                control.get().assertAllowed("setxattr-outside");
            }));
            tests.add(Named.test(id, "an xattr's value by path outside the grants (a download's URL): EOPNOTSUPP;"
                    + " control: read", () -> {
                contained.get().assertDenied("getxattr-outside", "EOPNOTSUPP");
                assertEquals("value=" + DOWNLOAD_URL, control.get().assertAllowed("getxattr-outside").detail());
            }));
            tests.add(Named.test(id, "in the writable grant: path forms EPERM too, the descriptor forms work", () -> {
                contained.get().assertDenied("chmod-grant", "EPERM");
                contained.get().assertDenied("utimensat-grant", "EPERM");
                assertEquals("mode=0640", contained.get().assertAllowed("fchmod-grant").detail());
                contained.get().assertAllowed("futimens-grant");
            }));
            return Named.group(id, tests);
        });
    }

    private static Steps attempts(Setup s, String token, String queue) {
        Path outsideFile = s.outside().resolve("outside.txt");
        Path granted = s.grant().resolve("granted.txt");
        String victim = String.valueOf(s.victim());
        return Steps.of()
                .add("shmget", "shmget", "private", "create")
                .add("msgget", "msgget", "private", "create")
                .add("semget", "semget", "private", "create")
                .add("mq-open", "mq-open", queue)
                .add("shm-attach", "shm-attach", s.shmKey())
                .add("dgram-sendto", "pair-send", "dgram", "sendto", s.socket(), token + "-dgram-sendto")
                .add("stream-sendto", "pair-send", "stream", "sendto", s.socket(), token + "-stream-sendto")
                .add("stream-sendmsg", "pair-send", "stream", "sendmsg", s.socket(), token + "-stream-sendmsg")
                .add("stream-connect", "pair-send", "stream", "connect", s.socket(), token + "-stream-connect")
                .add("seqpacket-sendto", "pair-send", "seqpacket", "sendto", s.socket(), token + "-seq-sendto")
                .add("seqpacket-sendmsg", "pair-send", "seqpacket", "sendmsg", s.socket(), token + "-seq-sendmsg")
                .add("seqpacket-connect", "pair-send", "seqpacket", "connect", s.socket(), token + "-seq-connect")
                .add("netlink-route", "socket", 16, 3, 0)
                .add("interfaces", "interfaces")
                .add("prlimit-other", "prlimit", victim)
                .add("prlimit-self", "prlimit", 0)
                .add("setpriority-other", "setpriority", victim, 5)
                .add("setpriority-self", "setpriority", 0, 5)
                .add("sched-setaffinity-other", "sched-setaffinity", victim)
                .add("sched-setaffinity-self", "sched-setaffinity", 0)
                .add("ioprio-set-other", "ioprio-set", victim)
                .add("ioprio-set-self", "ioprio-set", 0)
                .add("read-outside", "read", outsideFile)
                .add("setxattr-outside", "setxattr", outsideFile, "user.mcp-contain", "planted")
                .add("chmod-outside", "chmod-mode", outsideFile, "0604")
                .add("chown-outside", "chown", outsideFile, -1, -1)
                .add("utimensat-outside", "utimensat", outsideFile)
                .add("getxattr-outside", "getxattr", s.outside().resolve("downloaded.pdf"), "user.xdg.origin.url")
                .add("removexattr-outside", "removexattr", outsideFile, "user.mcp-contain")
                .add("chmod-grant", "chmod-mode", granted, "0600")
                .add("utimensat-grant", "utimensat", granted)
                .add("fchmod-grant", "fchmod", granted, "0640")
                .add("futimens-grant", "futimens", granted);
    }

    private static Setup setUp(EscapeSuite suite, Identity id, String tag) {
        Path work = suite.workDir(id, "landlock-shared");
        // Permissions let the server's uid in everywhere: only the containment may say no.
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
        Path outside = suite.ownedDir(id, work.resolve("outside"), "rwxrwxrwx");
        // Owned by the server's uid: ownership permits chmod, chown and utimes; only the filter may refuse them.
        for (Path file : List.of(grant.resolve("granted.txt"), outside.resolve("outside.txt"))) {
            suite.ownedFile(id, file, "text\n");
            EscapeSuite.chown(file, id.serverUser());
        }
        // What a browser records on a download: its URL, in a user xattr of a file the server's uid owns.
        Path downloaded = outside.resolve("downloaded.pdf");
        suite.ownedFile(id, downloaded, "%PDF\n");
        EscapeSuite.chown(downloaded, id.serverUser());
        try {
            java.nio.file.Files.getFileAttributeView(downloaded, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                    .write("xdg.origin.url", java.nio.charset.StandardCharsets.US_ASCII.encode(DOWNLOAD_URL));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path socket = outside.resolve("dgram.sock");
        int key = 0x4d430000 | (int) (Long.parseLong(tag, 16) & 0xffff);
        String text = "shm-" + tag;
        RunResult created = suite.control(id, Steps.of().add("shm", "shm-host", key, text));
        created.assertAllowed("shm");
        suite.onCleanup(() -> suite.control(id, Steps.of().add("shm", "shm-host", key, "remove")));
        String marker = "shared-victim-" + tag;
        Running running = suite.start("victim", id.asServer(List.of(suite.probe().toString(), "@" + marker, "sleep",
                "600")), Map.of());
        suite.onCleanup(running::close);
        running.awaitReady();
        long victim = HostProcesses.withCommandLineContaining("@" + marker).stream()
                .filter(p -> HostProcesses.executable(p).map(e -> e.equals(suite.probe())).orElse(false))
                .findFirst().orElseThrow();
        Setup setup = new Setup(grant, outside, socket, key, text, victim);
        hostListener(suite, setup);
        return setup;
    }

    private static final Map<Path, Running> LISTENERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The host's datagram socket (bound by root, mode 0666), started once per setup. */
    private static Running hostListener(EscapeSuite suite, Setup setup) {
        return LISTENERS.computeIfAbsent(setup.socket(), path -> {
            Running l = suite.start("datagram listener", List.of(suite.probe().toString(), "dgram-listen",
                    path.toString()), Map.of());
            suite.onCleanup(l::close);
            l.awaitReady();
            return l;
        });
    }
}
