package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Processes: the server cannot see, signal, trace or read processes outside, gets none of the launcher's secrets
 * or descriptors, holds no capability, and has no terminal to type into. Controls run the same probe unconfined as
 * the very uid the server has.
 */
class ProcessEscapeIT {

    /** Variables that must never reach a server unless passed explicitly. */
    private static final List<String> SECRETS = List.of("SECRET_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
            "SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR");

    @TestFactory
    Stream<DynamicNode> outsideProcesses() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            String marker = "victim-" + EscapeSuite.randomHex(6);
            // A process of the server's own uid outside: without the containment the server could do anything to it.
            Lazy<Running> victim = Lazy.of(() -> {
                Running running = suite.start("victim", id.asServer(List.of(suite.probe().toString(), "@" + marker, "sleep", "600")), Map.of());
                suite.onCleanup(running::close);
                running.awaitReady();
                return running;
            });
            Lazy<Long> victimPid = Lazy.of(() -> {
                victim.get();
                List<Long> pids = HostProcesses.withCommandLineContaining("@" + marker).stream()
                        .filter(p -> HostProcesses.executable(p).map(e -> e.equals(suite.probe())).orElse(false)).toList();
                assertEquals(1, pids.size(), "exactly one victim process " + pids);
                return pids.get(0);
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "outside-processes").probe(attempts(victimPid.get(), marker)).run());
            // The control leaves out the attempts that would harm the victim (SIGTERM) or concern the containment's init.
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, harmlessAttempts(victimPid.get(), marker)));
            Lazy<RunResult> ptraceControl = Lazy.of(() -> {
                Steps steps = Steps.of().add("ptrace", "ptrace-seize", victimPid.get());
                // Yama (Ubuntu's default ptrace_scope 1) forbids attaching to a non-descendant: root still may.
                return yamaPtraceScope() > 0 && suite.suiteIsRoot() ? suite.controlAsRoot(steps) : suite.control(id, steps);
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () ->
                    contained.get().assertProbeCompleted(attempts(victimPid.get(), marker).labels())));
            tests.add(Named.test(id, "/proc of an outside process (same uid): ENOENT (own pid namespace)", () -> {
                contained.get().assertDenied("proc-environ", "ENOENT");
                contained.get().assertDenied("proc-cmdline", "ENOENT");
                control.get().assertAllowed("proc-environ");
                control.get().assertAllowed("proc-cmdline");
            }));
            tests.add(Named.test(id, "no outside process is visible at all: /proc lists init and the server", () -> {
                contained.get().assertValue("pids", "1,2");
                assertTrue(contained.get().line("find").detail().startsWith("none "), contained.get()::toString);
                assertTrue(control.get().line("find").detail().contains("/cmdline"), control.get()::toString);
            }));
            tests.add(Named.test(id, "signal to an outside process: ESRCH (control: same uid outside may)", () -> {
                contained.get().assertDenied("kill-0", "ESRCH");
                contained.get().assertDenied("kill-term", "ESRCH");
                control.get().assertAllowed("kill-0");
            }));
            tests.add(Named.test(id, "ptrace of an outside process: EPERM (seccomp, before the pid is even looked up)", () -> {
                contained.get().assertDenied("ptrace", "EPERM");
                ptraceControl.get().assertAllowed("ptrace");
            }));
            tests.add(Named.test(id, "process_vm_readv of an outside process: EPERM", () -> {
                contained.get().assertDenied("vm-read", "EPERM");
                control.get().assertAllowed("vm-read");
            }));
            tests.add(Named.test(id, "init (pid 1, the helper): environ EACCES, mem not writable, no ptrace, no signal", () -> {
                contained.get().assertDenied("init-environ", "EACCES");
                contained.get().assertDenied("init-mem", "EACCES");
                contained.get().assertDenied("init-ptrace", "EPERM");
                contained.get().assertDenied("init-kill", "EPERM");
            }));
            tests.add(Named.test(id, "the victim is unharmed", () -> {
                contained.get();
                assertTrue(victim.get().process().isAlive(), "the outside process still runs");
            }));
            return Named.group(id, tests);
        });
    }

    private static Steps harmlessAttempts(long victim, String marker) {
        return Steps.of()
                .add("proc-environ", "proc-read", victim, "environ")
                .add("proc-cmdline", "proc-read", victim, "cmdline")
                .add("find", "find-string", marker)
                .add("kill-0", "kill", victim, 0)
                .add("ptrace", "ptrace-seize", victim)
                .add("vm-read", "process-vm-read", victim);
    }

    private static Steps attempts(long victim, String marker) {
        return Steps.of()
                .add("proc-environ", "proc-read", victim, "environ")
                .add("proc-cmdline", "proc-read", victim, "cmdline")
                .add("pids", "pids")
                .add("find", "find-string", marker)
                .add("kill-0", "kill", victim, 0)
                .add("kill-term", "kill", victim, 15)
                .add("ptrace", "ptrace-seize", victim)
                .add("vm-read", "process-vm-read", victim)
                .add("init-environ", "proc-read", 1, "environ")
                .add("init-mem", "proc-mem-write", 1)
                .add("init-ptrace", "ptrace-seize", 1)
                .add("init-kill", "kill", 1, 9);
    }

    static int yamaPtraceScope() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/yama/ptrace_scope")).trim());
        } catch (Exception e) {
            return 0;
        }
    }

    @TestFactory
    Stream<DynamicNode> environment() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            String secret = "s3cr3t-" + EscapeSuite.randomHex(8);
            Steps steps = Steps.of();
            for (String name : SECRETS) {
                steps.add("env-" + name, "env", name);
            }
            steps.add("find", "find-string", secret).add("home", "env", "HOME").add("path", "env", "PATH");
            Lazy<RunResult> contained = Lazy.of(() -> withSecrets(suite.launch(id, "environment"), secret).probe(steps).run());
            Lazy<RunResult> passed = Lazy.of(() -> withSecrets(suite.launch(id, "environment-pass"), secret)
                    .option("--env", "SECRET_TOKEN", "--env", "CHOSEN=by-flag")
                    .probe(Steps.of().add("secret", "env", "SECRET_TOKEN").add("chosen", "env", "CHOSEN")).run());

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.labels())));
            for (String name : SECRETS) {
                tests.add(Named.test(id, name + " in the launcher's environment does not reach the server", () ->
                        contained.get().assertValue("env-" + name, "unset")));
            }
            tests.add(Named.test(id, "the secret's value is nowhere: own environment, /proc/*/environ, /proc/*/cmdline", () -> {
                String found = contained.get().line("find").detail();
                assertTrue(found.startsWith("none "), () -> "secret found: " + found + "\n" + contained.get());
            }));
            tests.add(Named.test(id, "HOME is the agent home, PATH passes", () -> {
                String home = contained.get().line("home").detail();
                assertTrue(home.startsWith("set=") && home.contains("/mcp-contain/homes/it-"), contained.get()::toString);
                assertTrue(contained.get().line("path").detail().startsWith("set=/"), contained.get()::toString);
            }));
            tests.add(Named.test(id, "the containment's own processes (supervisor, init = pid 1 inside) hold no copy of it", () -> {
                try (Running running = withSecrets(suite.launch(id, "environment-host"), secret).probeCommand("sleep", 60).start()) {
                    running.awaitReady();
                    long supervisor = running.supervisorPid();
                    List<Long> helpers = new ArrayList<>(List.of(supervisor));
                    ProcessHandle.of(supervisor).orElseThrow().children()
                            .filter(c -> HostProcesses.executable(c.pid()).map(suite.helper()::equals).orElse(false))
                            .forEach(c -> helpers.add(c.pid()));
                    assertEquals(2, helpers.size(), "supervisor and init " + helpers);
                    for (long pid : helpers) {
                        String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")),
                                java.nio.charset.StandardCharsets.UTF_8);
                        assertTrue(!environ.contains(secret), "process " + pid + " holds the secret in /proc/" + pid + "/environ");
                    }
                    // Control: the same reading finds it in a process started with the same environment.
                    try (Running plain = suite.start("plain process with the secret", id.launch(List.of("sleep", "30")),
                            Map.of("SECRET_TOKEN", secret))) {
                        Path environ = Path.of("/proc/" + plain.process().pid() + "/environ");
                        assertTrue(new String(Files.readAllBytes(environ), java.nio.charset.StandardCharsets.UTF_8).contains(secret),
                                "control: " + environ + " shows the secret");
                    }
                }
            }));
            tests.add(Named.test(id, "control: --env SECRET_TOKEN passes it, --env NAME=VALUE sets one", () -> {
                passed.get().assertValue("secret", "set=" + secret);
                passed.get().assertValue("chosen", "set=by-flag");
            }));
            return Named.group(id, tests);
        });
    }

    private static Launch withSecrets(Launch launch, String secret) {
        launch.env("SECRET_TOKEN", secret).env("GITHUB_TOKEN", secret).env("AWS_SECRET_ACCESS_KEY", secret)
                .env("SSH_AUTH_SOCK", "/tmp/ssh-" + secret + "/agent.1").env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/0/bus-" + secret)
                .env("XDG_RUNTIME_DIR", "/run/user/" + secret);
        return launch;
    }

    @TestFactory
    Stream<DynamicNode> descriptors() {
        EscapeSuite suite = EscapeSuite.get();
        // The launcher starts with descriptors 5, 9 and 200 open (as a careless host might leave them).
        String[] shell = {"/bin/bash", "-c", "exec 5</etc/hostname 9</etc/hostname 200</etc/hostname; exec \"$@\"", "leaky-host"};
        return suite.identities().stream().map(id -> {
            Steps steps = Steps.of().add("fds", "fds");
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "descriptors").innerWrapper(shell).probe(steps).run());
            Lazy<RunResult> control = Lazy.of(() -> {
                List<String> command = new ArrayList<>(List.of(shell));
                command.add(suite.probe().toString());
                command.addAll(steps.arguments());
                return suite.exec("leaky host, unconfined", id.launch(command), Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
            });
            return Named.group(id, List.of(
                    Named.test(id, "only descriptors 0, 1, 2 reach the server", () -> contained.get().assertValue("fds", "0,1,2")),
                    Named.test(id, "control: unconfined, the extra descriptors are inherited", () ->
                            control.get().assertValue("fds", "0,1,2,5,9,200"))));
        });
    }

    @TestFactory
    Stream<DynamicNode> credentials() {
        EscapeSuite suite = EscapeSuite.get();
        Steps steps = Steps.of();
        for (String field : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters")) {
            steps.add(field, "status", field);
        }
        steps.add("ids", "ids").add("hostname", "hostname");
        return suite.identities().stream().map(id -> {
            Lazy<Launch> launch = Lazy.of(() -> suite.launch(id, "credentials").probe(steps));
            Lazy<RunResult> contained = Lazy.of(() -> launch.get().run());
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, steps));
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.labels())));
            for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                tests.add(Named.test(id, cap + " is 0", () -> contained.get().assertValue(cap, "0000000000000000")));
            }
            tests.add(Named.test(id, "NoNewPrivs 1, Seccomp 2 (filter mode), one filter", () -> {
                contained.get().assertValue("NoNewPrivs", "1");
                contained.get().assertValue("Seccomp", "2");
                contained.get().assertValue("Seccomp_filters", "1");
            }));
            tests.add(Named.test(id, "control: unconfined the same uid has a full bounding set, no no_new_privs, no filter", () -> {
                assertNotEquals("VALUE 0000000000000000", control.get().line("CapBnd").outcome(), control.get()::toString);
                control.get().assertValue("NoNewPrivs", "0");
                control.get().assertValue("Seccomp", "0");
            }));
            tests.add(Named.test(id, "runs as " + id.serverUser().name() + ", in its own session, with its own hostname", () -> {
                String ids = contained.get().line("ids").detail();
                assertTrue(ids.contains(" uid=" + id.serverUser().uid() + " euid=" + id.serverUser().uid() + " "), ids);
                assertTrue(ids.startsWith("pid=2 ppid=1 sid=2 pgid=2 "), () -> "session leader under init: " + ids);
                assertEquals("VALUE mcp-" + launch.get().name(), contained.get().line("hostname").outcome());
            }));
            return Named.group(id, tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> terminal() {
        EscapeSuite suite = EscapeSuite.get();
        Steps steps = Steps.of()
                .add("isatty", "isatty", 0)
                .add("open-tty", "open-tty")
                .add("tiocsti-stdin", "tiocsti", 0)
                .add("tiocsti-stdin-high", "tiocsti", 0, "high")
                .add("tiocsti-badfd", "tiocsti", -1)
                .add("tiocsti-badfd-high", "tiocsti", -1, "high")
                .add("tioclinux-badfd", "tioclinux", -1)
                .add("ids", "ids");
        return suite.identities().stream().map(id -> {
            // The launcher is started with a real terminal as stdin and controlling terminal, as from a shell.
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "terminal")
                    .outerWrapper(suite.probe().toString(), "with-tty").probe(steps).run());
            Lazy<RunResult> noTty = Lazy.of(() -> suite.launch(id, "no-terminal")
                    .probe(Steps.of().add("open-tty", "open-tty")).run());
            Lazy<RunResult> control = Lazy.of(() -> {
                List<String> command = new ArrayList<>(List.of(suite.probe().toString(), "with-tty"));
                command.addAll(id.launch(List.of(suite.probe().toString())));
                command.addAll(steps.arguments());
                return suite.exec("terminal, unconfined", command, Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.labels())));
            tests.add(Named.test(id, "stdin is the user's terminal outside, a pipe the launcher relays inside (no terminal at all)", () -> {
                contained.get().assertValue("isatty", "no");
                control.get().assertValue("isatty", "yes controlling=yes");
            }));
            tests.add(Named.test(id, "/dev/tty: ENXIO (no controlling terminal), also without a terminal at all", () -> {
                contained.get().assertDenied("open-tty", "ENXIO");
                noTty.get().assertDenied("open-tty", "ENXIO");
                control.get().assertAllowed("open-tty");
            }));
            tests.add(Named.test(id, "TIOCSTI into the terminal on stdin: EPERM (control: ALLOWED outside)", () -> {
                contained.get().assertDenied("tiocsti-stdin", "EPERM");
                contained.get().assertDenied("tiocsti-stdin-high", "EPERM");
                control.get().assertAllowed("tiocsti-stdin");
            }));
            tests.add(Named.test(id, "TIOCSTI fingerprint: ioctl(-1) is EPERM inside (seccomp) vs EBADF outside, high bits too", () -> {
                contained.get().assertDenied("tiocsti-badfd", "EPERM");
                contained.get().assertDenied("tiocsti-badfd-high", "EPERM");
                contained.get().assertDenied("tioclinux-badfd", "EPERM");
                control.get().assertDenied("tiocsti-badfd", "EBADF");
                control.get().assertDenied("tiocsti-badfd-high", "EBADF");
                control.get().assertDenied("tioclinux-badfd", "EBADF");
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Red team: run from a shell, the server had the user's terminal as stdout and stderr, and wrote control sequences
     * to it (OSC 52 sets the clipboard the user then pastes into a shell). Every descriptor 0-2 that is a terminal
     * now reaches the server as a pipe the supervisor relays, showing each control character as text. Control: the
     * same shell on the same kind of terminal, unconfined, puts the raw ESC on it and has a terminal as stdin.
     */
    @TestFactory
    Stream<DynamicNode> terminalOutput() {
        EscapeSuite suite = EscapeSuite.get();
        String script = "printf '\\033]52;c;aGk=\\007osc\\n'; printf 'err\\033[31m\\n' >&2;"
                + " if [ -t 0 ] || [ -t 1 ] || [ -t 2 ]; then echo has-a-tty; else echo no-tty; fi";
        List<String> onATerminal = List.of("python3", "-c", "import pty, sys; pty.spawn(sys.argv[1:])");
        return suite.identities().stream().map(id -> {
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "terminal-output")
                    .outerWrapper(onATerminal.toArray(String[]::new)).server("/bin/sh", "-c", script).run());
            Lazy<RunResult> control = Lazy.of(() -> {
                List<String> command = new ArrayList<>(onATerminal);
                command.addAll(id.launch(List.of("/bin/sh", "-c", script)));
                return suite.exec("terminal output, unconfined", command, Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
            });
            return Named.group(id, List.of(
                    Named.test(id, "control sequences on the terminal are shown as text (^[), none reaches it raw", () -> {
                        RunResult r = contained.get();
                        r.assertExit(0);
                        assertTrue(r.stdout().contains("^[]52;c;aGk=^Gosc") && r.stdout().contains("err^[[31m"), r::toString);
                        assertTrue(r.stdout().indexOf('\u001b') < 0, r::toString);
                        assertTrue(r.stdout().contains("no-tty"), r::toString);
                    }),
                    Named.test(id, "control: unconfined on the same terminal, the raw ESC arrives and fd 0-2 are the terminal", () -> {
                        RunResult r = control.get();
                        assertTrue(r.stdout().contains("\u001b]52;c;aGk=\u0007osc"), r::toString);
                        assertTrue(r.stdout().contains("has-a-tty"), r::toString);
                    })));
        });
    }

    /**
     * Red team: the relay showed ESC and the UTF-8 form of C1 (C2 9B) as text, but passed a lone byte 0x9b, which a
     * terminal in an 8-bit mode (xterm started in a non-UTF-8 locale, the Linux console after unicode_stop) takes for
     * CSI, and the overlong form E0 82 9B. Every byte that is not part of well-formed UTF-8 is now shown as \xNN, and
     * a C1 split across two writes is still caught. The terminal's bytes are read as hex (the pty's master side), so
     * that the raw byte can be seen. Control: the same shell on the same kind of terminal, unconfined, puts 0x9b on it.
     */
    @TestFactory
    Stream<DynamicNode> terminalEightBitControls() {
        EscapeSuite suite = EscapeSuite.get();
        String script = "printf 'A\\233[31mB\\340\\202\\233[32mC\\302'; sleep 0.3; printf '\\233[0mD \\303\\251\\n'";
        List<String> onATerminal = List.of("python3", "-c",
                "import os, pty, sys; pty.spawn(sys.argv[1:], lambda fd: os.read(fd, 1024).hex().encode())");
        return suite.identities().stream().map(id -> {
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "terminal-c1")
                    .outerWrapper(onATerminal.toArray(String[]::new)).server("/bin/sh", "-c", script).run());
            Lazy<RunResult> control = Lazy.of(() -> {
                List<String> command = new ArrayList<>(onATerminal);
                command.addAll(id.launch(List.of("/bin/sh", "-c", script)));
                return suite.exec("terminal c1, unconfined", command, Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
            });
            return Named.group(id, List.of(
                    Named.test(id, "a lone 0x9b, an overlong C1 and a C1 split across writes reach the terminal as text", () -> {
                        RunResult r = contained.get();
                        r.assertExit(0);
                        byte[] out = terminalBytes(r);
                        String text = new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
                        assertTrue(text.contains("A\\x9b[31mB\\xe0\\x82\\x9b[32mC\\u009b[0mD \u00c3\u00a9"), r + "\n" + text);
                        for (byte b : out) {
                            int c = b & 0xff;
                            assertTrue(c != 0x9b && c != 0x1b, "raw control byte " + c + " in " + text);
                        }
                    }),
                    Named.test(id, "control: unconfined on the same terminal, the raw 0x9b arrives", () -> {
                        RunResult r = control.get();
                        String text = new String(terminalBytes(r), java.nio.charset.StandardCharsets.ISO_8859_1);
                        assertTrue(text.contains("A\u009b[31m"), r + "\n" + text);
                    })));
        });
    }

    /**
     * Red team: the relay wrote to the terminal in the supervisor's own loop and waited there. A terminal that takes
     * nothing (output stopped with Ctrl-S, a stalled reader) stopped the supervisor: a server that first filled the
     * terminal and then wrote 32 MiB under homeSize 16M ran on, unwatched, for as long as the terminal was not read.
     * The relay now writes to the terminal reopened O_NONBLOCK and stops reading the server while output is pending,
     * and a homeSize stop kills before it says so. The wrapper reads nothing for 5 s, then lists the launcher's
     * descendants. Control: the same server with a homeSize it stays under is still running at that moment.
     */
    @TestFactory
    Stream<DynamicNode> terminalThatTakesNothing() {
        EscapeSuite suite = EscapeSuite.get();
        String script = "(head -c 300000 /dev/zero | tr '\\0' x) & sleep 1; head -c 33554432 /dev/zero > \"$HOME/big\"; exec sleep 8";
        String wrapper = String.join("\n",
                "import os, pty, subprocess, sys, time",
                "m, s = pty.openpty()",
                "p = subprocess.Popen(sys.argv[1:], stdin=s, stdout=s, stderr=s, start_new_session=True)",
                "os.close(s)",
                "time.sleep(5)",
                "parent = {}",
                "for d in os.listdir('/proc'):",
                "    try:",
                "        f = open('/proc/%s/stat' % d).read()",
                "        parent[int(d)] = (int(f[f.rindex(')') + 2:].split()[1]), f[f.index('(') + 1:f.rindex(')')])",
                "    except (ValueError, OSError):",
                "        pass",
                "def below(pid):",
                "    while pid in parent:",
                "        if pid == p.pid: return True",
                "        pid = parent[pid][0]",
                "    return False",
                "print('descendants=' + ','.join(sorted(c for q, (pp, c) in parent.items() if below(q))))",
                "out = b''",
                "while True:",
                "    try: d = os.read(m, 65536)",
                "    except OSError: break",
                "    if not d: break",
                "    out += d",
                "p.wait()",
                "print('exit=%d' % p.returncode)",
                "print(out.decode('latin-1').replace('x', ''))");
        List<String> onATerminal = List.of("python3", "-c", wrapper);
        return suite.identities().stream().map(id -> {
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "terminal-stalled")
                    .profile(ResourceCountersIT.profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\"").toString())
                    .outerWrapper(onATerminal.toArray(String[]::new)).server("/bin/sh", "-c", script).run());
            Lazy<RunResult> control = Lazy.of(() -> suite.launch(id, "terminal-stalled-under")
                    .profile(ResourceCountersIT.profile(suite, "home-4g", "\"homeSize\": \"4G\", \"fileSize\": \"1G\"").toString())
                    .outerWrapper(onATerminal.toArray(String[]::new)).server("/bin/sh", "-c", script).run());
            return Named.group(id, List.of(
                    Named.test(id, "over homeSize while the terminal takes nothing: stopped at once (137), said on the terminal", () -> {
                        RunResult r = contained.get();
                        String descendants = r.stdout().lines().filter(l -> l.startsWith("descendants=")).findFirst().orElse("");
                        assertTrue(descendants.startsWith("descendants=") && !descendants.contains("sleep"), r::toString);
                        assertTrue(r.stdout().contains("exit=137"), r::toString);
                        assertTrue(r.stdout().contains("over its homeSize"), r::toString);
                    }),
                    Named.test(id, "control: under its homeSize, the same server is still running then (the wrapper sees it)", () -> {
                        RunResult r = control.get();
                        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("descendants=") && l.contains("sleep")), r::toString);
                        assertTrue(r.stdout().contains("exit=0"), r::toString);
                    })));
        });
    }

    /** What the pty wrapper printed: the terminal's bytes, as hex. */
    private static byte[] terminalBytes(RunResult r) {
        String hex = r.stdout().replaceAll("[^0-9a-f]", "");
        return java.util.HexFormat.of().parseHex(hex);
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
