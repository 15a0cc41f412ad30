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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code --isolation landlock}: the weaker mode for hosts without user namespaces. No mount or pid namespace, so
 * every path and process is there to be tried; Landlock, seccomp and the identity must hold alone. Every denial is
 * of something the server's own uid can do uncontained (the control next to it), so only the containment stands
 * in the way. Open weaknesses the profile accepts are shown as ALLOWED, next to the refusal without acceptance.
 */
class LandlockIsolationIT {

    private record Setup(Path work, Path grant, Path outside, Path socket, String token, Path sshKey, Path secret,
            Path etcSecret, Path etcDir, Path shm, Path device) {}

    /** A pid no process has (above any pid_max): kill answers ESRCH, where a live pid answers EPERM. */
    private static final long NO_SUCH_PID = 4_194_304L + 17;

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
            Lazy<String> terminal = Lazy.of(() -> terminalOf(suite, id));
            Lazy<Steps> steps = Lazy.of(() -> {
                Setup s = setup.get();
                return Steps.of()
                        .add("ids", "ids")
                        .add("read-outside", "read", s.outside().resolve("file.txt"))
                        .add("write-outside", "write", s.outside().resolve("new.txt"))
                        .add("secret", "read", s.secret())
                        .add("ssh-key", "read", s.sshKey())
                        .add("read-grant", "read", s.grant().resolve("file.txt"))
                        .add("write-grant", "write", s.grant().resolve("new.txt"))
                        .add("etc-secret", "read", s.etcSecret())
                        .add("etc-write", "write", s.etcDir().resolve("new.txt"))
                        .add("passwd", "read", "/etc/passwd")
                        .add("tmp-write", "write", "/tmp/mcp-contain-it-" + EscapeSuite.randomHex(4))
                        .add("shm", "write", s.shm())
                        .add("pts", "open-rw", terminal.get())
                        .add("dev-tty", "open-rw", "/dev/tty")
                        .add("dev-null", "write", "/dev/null")
                        .add("kill", "kill", victim.get(), 0)
                        .add("kill-nobody", "kill", NO_SUCH_PID, 0)
                        .add("proc-environ", "proc-read", victim.get(), "environ")
                        .add("proc-cmdline", "proc-read", victim.get(), "cmdline")
                        .add("proc-net-unix", "read", "/proc/net/unix")
                        .add("proc-self", "read", "/proc/self/stat")
                        .add("proc-cpuinfo", "read", "/proc/cpuinfo")
                        .add("ptrace", "ptrace-seize", victim.get())
                        .add("inotify", "inotify-watch", s.outside())
                        .add("stat-outside", "stat", s.secret())
                        .add("device", "open-rw", s.device())
                        .add("unix", "unix-connect", s.socket())
                        .add("tcp", "tcp-connect", "127.0.0.1", 9)
                        .add("fds", "fds")
                        .add("nnp", "status", "NoNewPrivs")
                        .add("seccomp", "status", "Seccomp");
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "landlock").landlockAccepting().grant(setup.get().grant(), "rw").probe(steps.get()).run());
            Lazy<RunResult> asServer = Lazy.of(() -> suite.control(id, Steps.of()
                    .add("read-outside", "read", setup.get().outside().resolve("file.txt"))
                    .add("write-outside", "write", setup.get().outside().resolve("control.txt"))
                    .add("secret", "read", setup.get().secret())
                    .add("ssh-key", "read", setup.get().sshKey())
                    .add("etc-secret", "read", setup.get().etcSecret())
                    .add("etc-write", "write", setup.get().etcDir().resolve("control.txt"))
                    .add("tmp-write", "write", "/tmp/mcp-contain-it-" + EscapeSuite.randomHex(4))
                    .add("shm", "write", setup.get().shm())
                    .add("pts", "open-rw", terminal.get())
                    .add("kill", "kill", victim.get(), 0)
                    .add("kill-nobody", "kill", NO_SUCH_PID, 0)
                    .add("proc-environ", "proc-read", victim.get(), "environ")
                    .add("proc-cmdline", "proc-read", victim.get(), "cmdline")
                    .add("proc-net-unix", "read", "/proc/net/unix")
                    .add("inotify", "inotify-watch", setup.get().outside())
                    .add("stat-outside", "stat", setup.get().secret())
                    .add("device", "open-rw", setup.get().device())
                    .add("unix", "unix-connect", setup.get().socket())));
            // The same launch with the built-in profile, which accepts nothing: refused before anything starts.
            Lazy<RunResult> unaccepted = Lazy.of(() -> suite.launch(id, "landlock-refused").option("--isolation", "landlock")
                    .probe(Steps.of().add("ids", "ids")).run());

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "runs as " + id.serverUser().name() + " (never uid 0), no_new_privs, seccomp", () -> {
                String ids = contained.get().line("ids").detail();
                assertTrue(ids.contains(" uid=" + id.serverUser().uid() + " euid=" + id.serverUser().uid() + " "), ids);
                contained.get().assertValue("nnp", "1");
                contained.get().assertValue("seccomp", "2");
                contained.get().assertValue("fds", "0,1,2");
            }));
            tests.add(Named.test(id, "open weaknesses not accepted by the profile: refused (125) naming each; control: accepted, it runs", () -> {
                RunResult refused = unaccepted.get();
                assertEquals(125, refused.exitCode(), refused::toString);
                for (String name : List.of("landlock-stat-metadata", "landlock-host-pids")) {
                    assertTrue(refused.stderr().contains("\n  " + name + ": "), refused::toString);
                }
                assertTrue(refused.find("ids").isEmpty(), "nothing started: " + refused);
                contained.get().assertExit(0);
                for (String name : List.of("landlock-stat-metadata", "landlock-host-pids", "landlock-device-nodes")) {
                    assertTrue(contained.get().stderr().contains("accepted weakness " + name + ": "), contained.get()::toString);
                }
            }));
            tests.add(Named.test(id, "files outside the grants that the server's uid may read and write: EACCES (Landlock); control: it can, uncontained", () -> {
                contained.get().assertDenied("read-outside", "EACCES");
                contained.get().assertDenied("write-outside", "EACCES");
                contained.get().assertDenied("secret", "EACCES");
                asServer.get().assertAllowed("read-outside");
                asServer.get().assertAllowed("write-outside");
                asServer.get().assertAllowed("secret");
            }));
            tests.add(Named.test(id, "~/.ssh/id_rsa of the launching user: EACCES" + (id.root() ? " (agent: permissions too)" : "; control: the same uid reads it"), () -> {
                contained.get().assertDenied("ssh-key", "EACCES");
                if (!id.root()) {
                    asServer.get().assertAllowed("ssh-key");
                }
            }));
            tests.add(Named.test(id, "the writable grant works", () -> {
                contained.get().assertAllowed("read-grant");
                contained.get().assertAllowed("write-grant");
            }));
            tests.add(Named.test(id, "a masked /etc secret the server's uid may read, and /etc writes: EACCES; control: allowed uncontained; /etc/passwd readable", () -> {
                contained.get().assertDenied("etc-secret", "EACCES");
                contained.get().assertDenied("etc-write", "EACCES");
                contained.get().assertAllowed("passwd");
                asServer.get().assertAllowed("etc-secret");
                asServer.get().assertAllowed("etc-write");
            }));
            tests.add(Named.test(id, "/tmp and /dev/shm of the host: EACCES; control: writable uncontained", () -> {
                contained.get().assertDenied("tmp-write", "EACCES");
                contained.get().assertDenied("shm", "EACCES");
                asServer.get().assertAllowed("tmp-write");
                asServer.get().assertAllowed("shm");
            }));
            tests.add(Named.test(id, "another terminal of the same uid (/dev/pts/N) and /dev/tty: EACCES; control: opens uncontained; /dev/null works", () -> {
                contained.get().assertDenied("pts", "EACCES");
                contained.get().assertDenied("dev-tty", "EACCES");
                contained.get().assertAllowed("dev-null");
                asServer.get().assertAllowed("pts");
            }));
            tests.add(Named.test(id, "signal to a process of the same uid outside: EPERM (Landlock scope); control: allowed outside", () -> {
                contained.get().assertDenied("kill", "EPERM");
                asServer.get().assertAllowed("kill");
            }));
            tests.add(Named.test(id, "/proc/PID/environ and cmdline of a process of the same uid, /proc/net/unix: EACCES; control: readable; own /proc and cpuinfo readable", () -> {
                contained.get().assertDenied("proc-environ", "EACCES");
                contained.get().assertDenied("proc-cmdline", "EACCES");
                contained.get().assertDenied("proc-net-unix", "EACCES");
                contained.get().assertDenied("ptrace", "EPERM");
                contained.get().assertAllowed("proc-self");
                contained.get().assertAllowed("proc-cpuinfo");
                asServer.get().assertAllowed("proc-environ");
                asServer.get().assertAllowed("proc-cmdline");
                asServer.get().assertAllowed("proc-net-unix");
            }));
            tests.add(Named.test(id, "inotify on a folder outside the grants: EACCES (seccomp); control: watchable uncontained", () -> {
                contained.get().assertDenied("inotify", "EACCES");
                asServer.get().assertAllowed("inotify");
            }));
            tests.add(Named.test(id, "ACCEPTED landlock-stat-metadata: stat outside the grants works, as uncontained", () -> {
                assertEquals(asServer.get().assertAllowed("stat-outside").detail(), contained.get().assertAllowed("stat-outside").detail());
            }));
            tests.add(Named.test(id, "ACCEPTED landlock-host-pids: a live pid answers EPERM, a free one ESRCH, as uncontained (ESRCH)", () -> {
                contained.get().assertDenied("kill", "EPERM");
                contained.get().assertDenied("kill-nobody", "ESRCH");
                asServer.get().assertDenied("kill-nobody", "ESRCH");
            }));
            tests.add(Named.test(id, "ACCEPTED landlock-device-nodes: a device node inside a grant opens, as uncontained", () -> {
                contained.get().assertAllowed("device");
                asServer.get().assertAllowed("device");
            }));
            tests.add(Named.test(id, "a symlink planted as the home's tmp (-> a folder outside): its target gets no rule and no write;"
                    + " control: the server's uid writes there uncontained", () -> {
                Path target = setup.get().outside();
                Path planted = target.resolve("via-planted-tmp.txt");
                Launch launch = suite.launch(id, "landlock-planted").landlockAccepting();
                Path home = (id.root() ? Path.of("/var/lib/mcp-contain") : id.home().resolve(".local/share/mcp-contain"))
                        .resolve("homes").resolve(launch.name());
                try {
                    Files.createDirectories(home);
                    Files.createSymbolicLink(home.resolve("tmp"), target);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                EscapeSuite.chown(home, id.serverUser());
                RunResult run = launch.probe(Steps.of().add("via-tmp", "write", home.resolve("tmp/via-planted-tmp.txt"))
                        .add("target", "write", planted)).run();
                // Either the home set-up replaces the link (the server then writes its own tmp) or the Landlock rule
                // refuses the launch naming the link; never does the link's target get a rule.
                if (run.exitCode() == 125) {
                    assertTrue(run.stderr().contains("symbolic link"), run::toString);
                } else {
                    run.assertAllowed("via-tmp");
                    run.assertDenied("target", "EACCES");
                    assertTrue(Files.isDirectory(home.resolve("tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS), run::toString);
                }
                assertTrue(!Files.exists(planted), "written through the planted link: " + run);
                asServer.get().assertAllowed("write-outside");
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
        // Readable and writable by the server's own uid: only Landlock can say no.
        Path secret = outside.resolve("secret.txt");
        suite.ownedFile(id, secret, "secret of the server's uid\n");
        EscapeSuite.chmod(secret, "rw-------");
        EscapeSuite.chown(secret, id.serverUser());
        EscapeSuite.requireThat(suite.suiteIsRoot(), "the /etc and device-node attacks need a root suite (CI runs as root)");
        // /etc/mcp-contain is masked; a file there owned by the server's uid is readable to it uncontained.
        Path etcSecret = etcTestDirectory(suite, Path.of("/etc/mcp-contain"), id, "it-" + EscapeSuite.randomHex(4))
                .resolve("secret.txt");
        suite.ownedFile(id, etcSecret, "masked /etc secret\n");
        EscapeSuite.chown(etcSecret, id.serverUser());
        Path etcDir = etcTestDirectory(suite, Path.of("/etc"), id, "mcp-contain-it-" + EscapeSuite.randomHex(4));
        Path shm = Path.of("/dev/shm/mcp-contain-it-" + EscapeSuite.randomHex(4));
        suite.onCleanup(() -> deleteQuietly(shm));
        Path device = grant.resolve("null-device");
        run(List.of("mknod", "-m", "666", device.toString(), "c", "1", "3"));
        return new Setup(work, grant, outside, socket, token, key, secret, etcSecret, etcDir, shm, device);
    }

    /** PARENT/NAME, a fresh directory owned by the server's uid; removed (and PARENT if we made it) at the end. */
    private static Path etcTestDirectory(EscapeSuite suite, Path parent, Identity id, String name) {
        try {
            if (!Files.exists(parent)) {
                Files.createDirectory(parent);
                suite.onCleanup(() -> deleteQuietly(parent));
            }
            EscapeSuite.chmod(parent, "rwxr-xr-x");
            Path dir = Files.createDirectory(parent.resolve(name));
            suite.onCleanup(() -> EscapeSuite.deleteTree(dir));
            EscapeSuite.chmod(dir, "rwxr-xr-x");
            EscapeSuite.chown(dir, id.serverUser());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A terminal of the server's uid that is not the server's: a probe sleeping under with-tty as that uid. Its
     * /dev/pts/N is what the server must not open.
     */
    private static String terminalOf(EscapeSuite suite, Identity id) {
        String marker = "ll-tty-" + EscapeSuite.randomHex(6);
        Running running = suite.start("terminal owner", id.asServer(List.of(suite.probe().toString(), "with-tty",
                suite.probe().toString(), "@" + marker, "sleep", "600")), Map.of());
        suite.onCleanup(running::close);
        running.awaitReady();
        for (long pid : HostProcesses.withCommandLineContaining("@" + marker)) {
            try {
                Path tty = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0"));
                if (tty.toString().startsWith("/dev/pts/")) {
                    return tty.toString();
                }
            } catch (IOException e) {
                // not this one
            }
        }
        throw new IllegalStateException("no /dev/pts terminal found for " + marker);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(command + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left for the next sweep
        }
    }
}
