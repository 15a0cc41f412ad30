package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code --isolation landlock}: the weaker mode for hosts without user namespaces. No mount or pid namespace, so
 * every path and process is there to be tried; Landlock, seccomp and the identity must hold alone. The files tried
 * are readable by the server's uid as far as permissions go (0755/0644), so only Landlock stands in the way.
 */
class LandlockIsolationIT {

    private record Setup(Path work, Path grant, Path outside, Path socket, String token, Path sshKey) {}

    @TestFactory
    Stream<DynamicNode> landlockIsolation() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Setup> setup = Lazy.of(() -> setUp(suite, id));
            String marker = "ll-victim-" + EscapeSuite.randomHex(6);
            Lazy<Long> victim = Lazy.of(() -> {
                Running running = suite.start("victim", id.asServer(List.of(suite.probe().toString(), "@" + marker, "sleep", "600")), Map.of());
                suite.onCleanup(running::close);
                running.awaitReady();
                return HostProcesses.withCommandLineContaining("@" + marker).stream()
                        .filter(p -> HostProcesses.executable(p).map(e -> e.equals(suite.probe())).orElse(false))
                        .findFirst().orElseThrow();
            });
            Lazy<Steps> steps = Lazy.of(() -> {
                Setup s = setup.get();
                return Steps.of()
                        .add("ids", "ids")
                        .add("read-outside", "read", s.outside().resolve("file.txt"))
                        .add("write-outside", "write", s.outside().resolve("new.txt"))
                        .add("ssh-key", "read", s.sshKey())
                        .add("read-grant", "read", s.grant().resolve("file.txt"))
                        .add("write-grant", "write", s.grant().resolve("new.txt"))
                        .add("shadow", "read", "/etc/shadow")
                        .add("etc-write", "write", "/etc/mcp-contain-it")
                        .add("tmp-write", "write", "/tmp/mcp-contain-it-" + EscapeSuite.randomHex(4))
                        .add("kill", "kill", victim.get(), 0)
                        .add("proc-environ", "proc-read", victim.get(), "environ")
                        .add("ptrace", "ptrace-seize", victim.get())
                        .add("unix", "unix-connect", s.socket())
                        .add("tcp", "tcp-connect", "127.0.0.1", 9)
                        .add("fds", "fds")
                        .add("nnp", "status", "NoNewPrivs")
                        .add("seccomp", "status", "Seccomp");
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "landlock").option("--isolation", "landlock")
                    .grant(setup.get().grant(), "rw").probe(steps.get()).run());
            Lazy<RunResult> asServer = Lazy.of(() -> suite.control(id, Steps.of()
                    .add("read-outside", "read", setup.get().outside().resolve("file.txt"))
                    .add("kill", "kill", victim.get(), 0)
                    .add("proc-environ", "proc-read", victim.get(), "environ")
                    .add("unix", "unix-connect", setup.get().socket())));

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "runs as " + id.serverUser().name() + " (never uid 0), no_new_privs, seccomp", () -> {
                String ids = contained.get().line("ids").detail();
                assertTrue(ids.contains(" uid=" + id.serverUser().uid() + " euid=" + id.serverUser().uid() + " "), ids);
                contained.get().assertValue("nnp", "1");
                contained.get().assertValue("seccomp", "2");
                contained.get().assertValue("fds", "0,1,2");
            }));
            tests.add(Named.test(id, "a readable file outside the grants: EACCES (Landlock); control: the server's uid reads it outside", () -> {
                contained.get().assertDenied("read-outside", "EACCES");
                contained.get().assertDenied("write-outside", "EACCES");
                asServer.get().assertAllowed("read-outside");
            }));
            tests.add(Named.test(id, "~/.ssh/id_rsa of the launching user: EACCES", () ->
                    contained.get().assertDenied("ssh-key", "EACCES")));
            tests.add(Named.test(id, "the writable grant works", () -> {
                contained.get().assertAllowed("read-grant");
                contained.get().assertAllowed("write-grant");
            }));
            tests.add(Named.test(id, "/etc/shadow: EACCES; /etc and /tmp not writable: EACCES", () -> {
                contained.get().assertDenied("shadow", "EACCES");
                contained.get().assertDenied("etc-write", "EACCES");
                contained.get().assertDenied("tmp-write", "EACCES");
            }));
            tests.add(Named.test(id, "signal to a process of the same uid outside: EPERM (Landlock scope); control: allowed outside", () -> {
                contained.get().assertDenied("kill", "EPERM");
                asServer.get().assertAllowed("kill");
            }));
            tests.add(Named.test(id, "/proc/PID/environ of a process of the same uid: EACCES (Landlock); ptrace EPERM", () -> {
                contained.get().assertDenied("proc-environ", "EACCES");
                contained.get().assertDenied("ptrace", "EPERM");
                asServer.get().assertAllowed("proc-environ");
            }));
            tests.add(Named.test(id, "pathname unix socket outside the grants: EAFNOSUPPORT at socket(); control: reachable outside", () -> {
                ProbeLine line = contained.get().assertDenied("unix", "EAFNOSUPPORT");
                assertEquals("at=socket", line.detail(), contained.get()::toString);
                assertEquals("reply=" + setup.get().token(), asServer.get().assertAllowed("unix").detail(), asServer.get()::toString);
            }));
            tests.add(Named.test(id, "network none without a network namespace: TCP EAFNOSUPPORT", () ->
                    contained.get().assertDenied("tcp", "EAFNOSUPPORT")));
            return Named.group(id, tests);
        });
    }

    private static Setup setUp(EscapeSuite suite, Identity id) {
        Path work = suite.workDir(id, "landlock");
        // Permissions let the server's uid in everywhere: only Landlock may say no. A root launcher's server is the
        // agent account, which without idmapped mounts needs ordinary permissions even on its grants.
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
        suite.ownedFile(id, grant.resolve("file.txt"), "granted\n");
        Path outside = suite.ownedDir(id, work.resolve("outside"), "rwxrwxrwx");
        suite.ownedFile(id, outside.resolve("file.txt"), "outside\n");
        String token = "hello-" + EscapeSuite.randomHex(6);
        Path socket = outside.resolve("daemon.sock");
        try {
            ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            unix.bind(UnixDomainSocketAddress.of(socket));
            EscapeSuite.chmod(socket, "rwxrwxrwx");
            Thread t = new Thread(() -> {
                while (unix.isOpen()) {
                    try (SocketChannel c = unix.accept()) {
                        c.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "landlock-listener");
            t.setDaemon(true);
            t.start();
            suite.onCleanup(() -> {
                try {
                    unix.close();
                } catch (IOException e) {
                    // closed
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path key = FilesystemEscapeIT.plantSshKey(suite, id);
        return new Setup(work, grant, outside, socket, token, key);
    }
}
