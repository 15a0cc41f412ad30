package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * What a socket made in the host's network namespace still reaches, in full and landlock isolation, root and user
 * launcher, profiles default and strict.
 *
 * <ul>
 *   <li>Network-device ioctls answer for the namespace a socket was <em>made</em> in. A node-based host hands its
 *       server a socketpair as stdio; through descriptor 0, SIOCGIFCONF listed the host's interfaces and addresses
 *       to a server in its own empty network namespace. In landlock isolation every socketpair is the host's.
 *       Contained: EPERM. Controls: the same descriptor unconfined as the server's uid, and the same launch with
 *       {@code --network host} (the server shares the host's network there by design), both list the host's.</li>
 *   <li>bind() on that stdio socket took a name in the host's abstract unix namespace, from full isolation too: the
 *       helper autobinds it before the server runs (EINVAL for any later bind); control: unconfined, it binds.</li>
 *   <li>Landlock isolation without network shares the host's abstract unix namespace: bind of a socketpair end took
 *       any free name there (a name a host service binds later), and SO_PASSCRED made the kernel autobind one.
 *       Contained: EPERM; control: the server's uid unconfined binds and autobinds.</li>
 *   <li>Landlock isolation shares the host's mount table: listmount listed every mount point (what the refused
 *       /proc/self/mountinfo would show). Contained: ENOSYS; control: unconfined, listed.</li>
 * </ul>
 */
class HostSocketIT {

    private static final List<String> PROFILES = List.of("default", "strict");

    @TestFactory
    Stream<DynamicNode> hostSockets() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            String tag = EscapeSuite.randomHex(4);
            Lazy<RunResult> stdioControl = Lazy.of(() -> suite.exec("unconfined control as " + id.serverUser().name(),
                    withSocketStdin(suite, id.serverAs(), List.of("@ifconf-stdin", "ifconf", "0", "@bind-stdin",
                            "abstract-bind", "mcp-contain-stdio-ctl-" + tag, "0")), Map.of(),
                    EscapeSuite.DEFAULT_TIMEOUT));
            Lazy<RunResult> landlockControl = Lazy.of(() -> suite.control(id, landlockAttempts("mcp-contain-ctl-" + tag)));
            Lazy<RunResult> flagsControl = Lazy.of(() -> {
                List<String> command = new ArrayList<>(id.serverAs());
                command.addAll(List.of(suite.probe().toString(), "with-stderr-pipe", suite.probe().toString(),
                        "@set-nonblock", "set-nonblock", "2"));
                return suite.exec("unconfined control as " + id.serverUser().name(), command, Map.of(),
                        EscapeSuite.DEFAULT_TIMEOUT);
            });
            for (String profile : PROFILES) {
                for (String isolation : List.of("full", "landlock")) {
                    Lazy<RunResult> flags = Lazy.of(() -> {
                        Launch l = suite.launch(id, "stderr-flags-" + isolation + "-" + profile);
                        l = isolation.equals("landlock")
                                ? l.profile(landlockProfile(suite, id, profile).toString()).option("--isolation", "landlock")
                                : l.profile(profile);
                        return l.innerWrapper(suite.probe().toString(), "with-stderr-pipe")
                                .probe(Steps.of().add("set-nonblock", "set-nonblock", 2)).run();
                    });
                    tests.add(Named.test(id, profile + ", " + isolation + " isolation: O_NONBLOCK set on stderr, a pipe"
                            + " the host passes on as its own: the host's file description keeps blocking; control:"
                            + " unconfined, the host's description turns non-blocking", () -> {
                        flags.get().assertAllowed("set-nonblock");
                        assertTrue(flags.get().stdout().contains("HOST-STDERR nonblock=no"), flags.get()::toString);
                        flagsControl.get().assertAllowed("set-nonblock");
                        assertTrue(flagsControl.get().stdout().contains("HOST-STDERR nonblock=yes"),
                                flagsControl.get()::toString);
                    }));
                }
                Lazy<RunResult> full = Lazy.of(() -> suite.launch(id, "host-socket-" + profile).profile(profile)
                        .outerWrapper(suite.probe().toString(), "with-socket-stdin")
                        .probe(Steps.of().add("ifconf-stdin", "ifconf", 0).add("ifconf-pair", "ifconf", "pair")
                                .add("bind-stdin", "abstract-bind", "mcp-contain-stdio-" + profile + "-" + tag, 0))
                        .run());
                Lazy<RunResult> hostNetwork = Lazy.of(() -> suite.launch(id, "host-socket-net-" + profile)
                        .profile(profile).option("--network", "host")
                        .outerWrapper(suite.probe().toString(), "with-socket-stdin")
                        .probe(Steps.of().add("ifconf-stdin", "ifconf", 0)).run());
                tests.add(Named.test(id, profile + ", full isolation: SIOCGIFCONF through the host's socketpair"
                        + " on stdin: EPERM (also on its own pair); controls: unconfined, and with --network host,"
                        + " the host's interfaces are listed", () -> {
                    full.get().assertProbeCompleted(List.of("ifconf-stdin", "ifconf-pair", "bind-stdin"));
                    assertEquals("at=SIOCGIFCONF", full.get().assertDenied("ifconf-stdin", "EPERM").detail(),
                            full.get()::toString);
                    full.get().assertDenied("ifconf-pair", "EPERM");
                    String host = stdioControl.get().assertAllowed("ifconf-stdin").detail();
                    assertTrue(host.startsWith("interfaces=") && host.contains("lo=127.0.0.1"), stdioControl.get()::toString);
                    assertEquals(host, hostNetwork.get().assertAllowed("ifconf-stdin").detail(), hostNetwork.get()::toString);
                }));
                tests.add(Named.test(id, profile + ", full isolation: bind of the host's socketpair on stdin to a host"
                        + " abstract name: EINVAL (the helper autobound it first); control: unconfined, bound", () -> {
                    assertEquals("at=bind", full.get().assertDenied("bind-stdin", "EINVAL").detail(),
                            full.get()::toString);
                    assertEquals("bound=@mcp-contain-stdio-ctl-" + tag,
                            stdioControl.get().assertAllowed("bind-stdin").detail(), stdioControl.get()::toString);
                }));

                String name = "mcp-contain-it-" + profile + "-" + tag;
                Lazy<RunResult> landlock = Lazy.of(() -> suite.launch(id, "host-socket-ll-" + profile)
                        .profile(landlockProfile(suite, id, profile).toString()).option("--isolation", "landlock")
                        .probe(landlockAttempts(name)).run());
                tests.add(Named.test(id, profile + ", landlock isolation: SIOCGIFCONF on its socketpair (made in the"
                        + " host's namespace): EPERM; control: the host's interfaces", () -> {
                    landlock.get().assertProbeCompleted(landlockAttempts(name).labels());
                    landlock.get().assertDenied("ifconf-pair", "EPERM");
                    assertTrue(landlockControl.get().assertAllowed("ifconf-pair").detail().contains("lo=127.0.0.1"),
                            landlockControl.get()::toString);
                }));
                tests.add(Named.test(id, profile + ", landlock isolation, network none: bind of a socketpair end to a"
                        + " host abstract name and SO_PASSCRED autobind: EPERM; control: both work", () -> {
                    assertEquals("at=bind", landlock.get().assertDenied("abstract-bind", "EPERM").detail());
                    assertEquals("at=setsockopt", landlock.get().assertDenied("autobind", "EPERM").detail());
                    assertEquals("bound=@mcp-contain-ctl-" + tag,
                            landlockControl.get().assertAllowed("abstract-bind").detail());
                    assertTrue(landlockControl.get().assertAllowed("autobind").detail().startsWith("name=@"),
                            landlockControl.get()::toString);
                }));
                tests.add(Named.test(id, profile + ", landlock isolation: listmount of the host's mount table: ENOSYS;"
                        + " control: listed", () -> {
                    ProbeLine control = landlockControl.get().line("listmount");
                    // A kernel before 6.8 has no listmount: unconfined gets ENOSYS too, and there is nothing to defend.
                    Assumptions.assumeFalse("errno=ENOSYS".equals(control.outcome()),
                            "this kernel has no listmount (Linux 6.8)");
                    assertTrue(landlockControl.get().assertAllowed("listmount").detail().startsWith("mounts="));
                    landlock.get().assertDenied("listmount", "ENOSYS");
                }));
            }
            return Named.group(id, tests);
        });
    }

    private static Steps landlockAttempts(String abstractName) {
        return Steps.of()
                .add("ifconf-pair", "ifconf", "pair")
                .add("abstract-bind", "abstract-bind", abstractName)
                .add("autobind", "autobind")
                .add("listmount", "listmount");
    }

    private static List<String> withSocketStdin(EscapeSuite suite, List<String> as, List<String> steps) {
        List<String> command = new ArrayList<>(as);
        command.add(suite.probe().toString());
        command.add("with-socket-stdin");
        command.add(suite.probe().toString());
        command.addAll(steps);
        return command;
    }

    /** PROFILE with every open landlock weakness accepted (landlock isolation refuses to start otherwise). */
    static Path landlockProfile(EscapeSuite suite, Identity id, String profile) {
        Path file = suite.workDir(id, "host-socket-profile").resolve("landlock-" + profile + ".json");
        suite.ownedFile(id, file, "{\"extends\": \"" + profile + "\", \"accept\": ["
                + String.join(", ", dev.mcpcontain.policy.LandlockWeaknesses.acceptable().stream()
                        .map(n -> "\"" + n + "\"").toList()) + "]}\n");
        return file;
    }
}
