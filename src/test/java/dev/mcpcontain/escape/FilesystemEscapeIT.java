package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Files: nothing outside the grants is visible, read-only grants stay read-only whatever the call, and links or
 * renames cannot carry a file across a grant's edge. Each attempt's positive control is the same call on a
 * writable grant inside, or the same file granted, or the host without containment.
 */
class FilesystemEscapeIT {

    /** The layout one identity's run works on, created on the host before the launch. */
    private record Layout(Path work, Path outside, Path rw, Path ro, String secret, String roText) {

        static Layout create(EscapeSuite suite, Identity id) {
            Path work = suite.workDir(id, "fs");
            String secret = "outside-secret-" + EscapeSuite.randomHex(6);
            String roText = "read-only-" + EscapeSuite.randomHex(6);
            Path outside = suite.ownedDir(id, work.resolve("outside"), "rwxr-xr-x");
            suite.ownedFile(id, outside.resolve("secret.txt"), secret + "\n");
            Path rw = suite.ownedDir(id, work.resolve("granted-rw"), "rwxr-xr-x");
            suite.ownedFile(id, rw.resolve("file.txt"), "writable\n");
            suite.ownedFile(id, rw.resolve("victim.txt"), "writable\n");
            Path ro = suite.ownedDir(id, work.resolve("granted-ro"), "rwxr-xr-x");
            suite.ownedFile(id, ro.resolve("file.txt"), roText + "\n");
            try {
                // Planted by the host before the launch: a link in a writable grant that points outside.
                Path link = Files.createSymbolicLink(rw.resolve("planted-link"), outside.resolve("secret.txt"));
                EscapeSuite.chown(link, id.user());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Layout(work, outside, rw, ro, secret, roText);
        }
    }

    @TestFactory
    Stream<DynamicNode> grants() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Layout> layout = Lazy.of(() -> Layout.create(suite, id));
            Lazy<RunResult> contained = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.launch(id, "grants").grant(l.rw(), "rw").grant(l.ro(), "ro").probe(grantSteps(l)).run();
            });
            Lazy<RunResult> outsideGranted = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.launch(id, "grants-control").grant(l.outside(), "ro").probe(Steps.of()
                        .add("read-outside", "read", l.outside().resolve("secret.txt"))
                        .add("write-outside-ro", "write", l.outside().resolve("new.txt"))).run();
            });
            Lazy<RunResult> hostControl = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.controlAsLauncher(id, Steps.of()
                        .add("read-outside", "read", l.outside().resolve("secret.txt"))
                        .add("planted-link", "read", l.rw().resolve("planted-link")));
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(grantSteps(layout.get()).labels())));
            tests.add(Named.test(id, "reading a file outside the grants: ENOENT (not mounted)", () ->
                    contained.get().assertDenied("read-outside", "ENOENT")));
            tests.add(Named.test(id, "writing a new file outside the grants: ENOENT", () -> {
                contained.get().assertDenied("write-outside", "ENOENT");
                assertFalse(Files.exists(layout.get().outside().resolve("new.txt")), "nothing appeared outside on the host");
            }));
            tests.add(Named.test(id, "the grants' parent shows only the grants", () ->
                    contained.get().assertValue("ls-work", "granted-ro,granted-rw")));
            tests.add(Named.test(id, "'..' out of a grant: ENOENT", () -> contained.get().assertDenied("dotdot", "ENOENT")));
            tests.add(Named.test(id, "control: the same file, granted read-only, is readable (and EROFS to write)", () -> {
                RunResult r = outsideGranted.get();
                assertEquals("text=" + layout.get().secret(), "text=" + r.assertAllowed("read-outside").field("text").orElse(""), r::toString);
                r.assertDenied("write-outside-ro", "EROFS");
            }));
            tests.add(Named.test(id, "control: the launching user reads it on the host", () -> {
                RunResult r = hostControl.get();
                r.assertAllowed("read-outside");
                r.assertAllowed("planted-link");
            }));

            for (String op : List.of("write", "create", "append", "truncate", "chmod", "rename", "unlink", "mkdir", "symlink")) {
                tests.add(Named.test(id, "read-only grant, " + op + ": EROFS; the same on the writable grant works", () -> {
                    contained.get().assertDenied(op + "-ro", "EROFS");
                    contained.get().assertAllowed(op + "-rw");
                }));
            }
            tests.add(Named.test(id, "read-only grant: reading works and the file is unchanged on the host", () -> {
                contained.get().assertAllowed("read-ro");
                assertEquals(layout.get().roText() + "\n", EscapeSuite.read(layout.get().ro().resolve("file.txt")));
                assertEquals(List.of("file.txt"), list(layout.get().ro()));
            }));
            tests.add(Named.test(id, "writable grant: the server's writes reach the host", () -> {
                contained.get().assertAllowed("write-rw");
                assertTrue(Files.exists(layout.get().rw().resolve("created-rw.txt")), "created inside, visible on the host");
            }));

            tests.add(Named.test(id, "symlink planted by the host in a writable grant, pointing outside: ENOENT", () ->
                    contained.get().assertDenied("planted-link", "ENOENT")));
            tests.add(Named.test(id, "symlink made inside, pointing outside: created, but reading through it: ENOENT", () -> {
                contained.get().assertAllowed("make-link");
                contained.get().assertDenied("read-made-link", "ENOENT");
            }));
            tests.add(Named.test(id, "hardlink out of a writable grant into /tmp: EXDEV (same in-grant link works)", () -> {
                contained.get().assertDenied("hardlink-out", "EXDEV");
                contained.get().assertAllowed("hardlink-in");
            }));
            tests.add(Named.test(id, "rename out of a writable grant into /tmp: EXDEV (same in-grant rename works)", () -> {
                contained.get().assertDenied("rename-out", "EXDEV");
                contained.get().assertAllowed("rename-rw");
            }));
            tests.add(Named.test(id, "hardlink and rename from the read-only grant into the writable one: EXDEV", () -> {
                contained.get().assertDenied("hardlink-ro-to-rw", "EXDEV");
                contained.get().assertDenied("rename-ro-to-rw", "EXDEV");
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Files git, an editor or an MCP host will later run or trust stay read-only inside a writable grant
     * (ProtectedNames, GrantGuard): writing them would escape on the user's next action. A git work tree is only
     * granted writable with ':rw,unprotected' (a new .git in a subfolder cannot be prevented); its .git is then
     * read-only as a whole.
     */
    @TestFactory
    Stream<DynamicNode> protectedNamesInWritableGrants() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> project = Lazy.of(() -> {
                Path p = suite.ownedDir(id, suite.workDir(id, "protected").resolve("project"), "rwxr-xr-x");
                suite.ownedDir(id, p.resolve(".git"), "rwxr-xr-x");
                suite.ownedDir(id, p.resolve(".git/hooks"), "rwxr-xr-x");
                suite.ownedFile(id, p.resolve(".git/hooks/pre-commit.sample"), "#!/bin/sh\n");
                suite.ownedFile(id, p.resolve(".git/config"), "[core]\n");
                suite.ownedFile(id, p.resolve(".git/HEAD"), "ref: refs/heads/main\n");
                suite.ownedFile(id, p.resolve(".envrc"), "# direnv\n");
                suite.ownedFile(id, p.resolve(".mcp.json"), "{}\n");
                suite.ownedDir(id, p.resolve(".vscode"), "rwxr-xr-x");
                suite.ownedFile(id, p.resolve("notes.txt"), "notes\n");
                // Red team variants: other agents' MCP configurations and build tools' per-project configuration.
                suite.ownedDir(id, p.resolve(".gemini"), "rwxr-xr-x");
                suite.ownedFile(id, p.resolve(".gemini/settings.json"), "{}\n");
                suite.ownedDir(id, p.resolve(".cargo"), "rwxr-xr-x");
                suite.ownedFile(id, p.resolve(".cargo/config.toml"), "\n");
                suite.ownedFile(id, p.resolve(".pre-commit-config.yaml"), "repos: []\n");
                return p;
            });
            Lazy<Path> bare = Lazy.of(() -> {
                Path p = suite.ownedDir(id, suite.workDir(id, "protected-absent").resolve("project"), "rwxr-xr-x");
                suite.ownedDir(id, p.resolve(".git"), "rwxr-xr-x");
                suite.ownedFile(id, p.resolve(".git/HEAD"), "ref: refs/heads/main\n");
                return p;
            });
            Lazy<Steps> steps = Lazy.of(() -> {
                Path p = project.get();
                return Steps.of()
                        .add("envrc-write", "write", p.resolve(".envrc"))
                        .add("envrc-unlink", "unlink", p.resolve(".envrc"))
                        .add("envrc-rename", "rename", p.resolve(".envrc"), p.resolve("envrc.old"))
                        .add("mcp-json-write", "write", p.resolve(".mcp.json"))
                        .add("git-config-write", "write", p.resolve(".git/config"))
                        .add("git-hook-create", "write", p.resolve(".git/hooks/pre-commit"))
                        .add("git-commondir", "write", p.resolve(".git/commondir"))
                        .add("git-hooks-rename", "rename", p.resolve(".git/hooks"), p.resolve(".git/hooks.old"))
                        .add("git-rename", "rename", p.resolve(".git"), p.resolve("git.old"))
                        .add("git-rmdir", "rmdir", p.resolve(".git"))
                        .add("git-head-write", "write", p.resolve(".git/HEAD"))
                        .add("vscode-tasks", "write", p.resolve(".vscode/tasks.json"))
                        .add("vscode-rename", "rename", p.resolve(".vscode"), p.resolve("vscode.old"))
                        .add("gemini-settings", "write", p.resolve(".gemini/settings.json"))
                        .add("cargo-config", "write", p.resolve(".cargo/config.toml"))
                        .add("pre-commit-config", "write", p.resolve(".pre-commit-config.yaml"))
                        .add("notes-write", "write", p.resolve("notes.txt"))
                        .add("new-file", "write", p.resolve("new.txt"));
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "protected").grant(project.get(), "rw,unprotected")
                    .probe(steps.get()).run());
            Lazy<RunResult> hostControl = Lazy.of(() -> {
                contained.get();
                Path p = project.get();
                return suite.controlAsLauncher(id, Steps.of()
                        .add("git-config-write", "append", p.resolve(".git/config"))
                        .add("git-head-write", "append", p.resolve(".git/HEAD"))
                        .add("envrc-write", "append", p.resolve(".envrc")));
            });
            Lazy<Steps> absentSteps = Lazy.of(() -> {
                Path p = bare.get();
                return Steps.of()
                        .add("mcp-json", "create", p.resolve(".mcp.json"))
                        .add("git-hooks", "mkdir", p.resolve(".git/hooks"))
                        .add("git-config", "create", p.resolve(".git/config"))
                        .add("nested-git", "mkdir", p.resolve("sub/.git"))
                        .add("sub", "mkdir", p.resolve("sub"))
                        .add("nested-git-again", "mkdir", p.resolve("sub/.git"));
            });
            Lazy<RunResult> absentRefused = Lazy.of(() -> suite.launch(id, "protected-absent").grant(bare.get(), "rw")
                    .probe(absentSteps.get()).run());
            Lazy<RunResult> absentReadOnly = Lazy.of(() -> suite.launch(id, "protected-absent-ro").grant(bare.get(), "ro")
                    .probe(Steps.of().add("head", "read", bare.get().resolve(".git/HEAD"))).run());
            Lazy<RunResult> absentOptedIn = Lazy.of(() -> suite.launch(id, "protected-absent-unprotected")
                    .grant(bare.get(), "rw,unprotected").probe(absentSteps.get()).run());

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "variants: .gemini/settings.json, .cargo/config.toml, .pre-commit-config.yaml: EROFS;"
                    + " control: notes.txt beside them is written", () -> {
                contained.get().assertDenied("gemini-settings", "EROFS");
                contained.get().assertDenied("cargo-config", "EROFS");
                contained.get().assertDenied("pre-commit-config", "EROFS");
                contained.get().assertAllowed("notes-write");
            }));
            tests.add(Named.test(id, ".envrc in a writable grant: write EROFS, unlink and rename EBUSY", () -> {
                contained.get().assertDenied("envrc-write", "EROFS");
                contained.get().assertDenied("envrc-unlink", "EBUSY");
                contained.get().assertDenied("envrc-rename", "EBUSY");
            }));
            tests.add(Named.test(id, ".mcp.json, .git/config, a new .git/hooks/pre-commit, .git/commondir, .vscode/tasks.json: EROFS", () -> {
                contained.get().assertDenied("mcp-json-write", "EROFS");
                contained.get().assertDenied("git-config-write", "EROFS");
                contained.get().assertDenied("git-hook-create", "EROFS");
                contained.get().assertDenied("git-commondir", "EROFS");
                contained.get().assertDenied("vscode-tasks", "EROFS");
            }));
            tests.add(Named.test(id, ".git is read-only as a whole: .git/HEAD EROFS too", () ->
                    contained.get().assertDenied("git-head-write", "EROFS")));
            tests.add(Named.test(id, "renaming .git (or .git/hooks, .vscode) away to plant a new one: EBUSY", () -> {
                contained.get().assertDenied("git-rename", "EBUSY");
                contained.get().assertDenied("git-rmdir", "EBUSY");
                contained.get().assertDenied("git-hooks-rename", "EROFS");
                contained.get().assertDenied("vscode-rename", "EBUSY");
            }));
            tests.add(Named.test(id, "control: the rest of the grant stays writable", () -> {
                contained.get().assertAllowed("notes-write");
                contained.get().assertAllowed("new-file");
            }));
            tests.add(Named.test(id, "control: the launching user writes .git/config, .git/HEAD and .envrc on the host", () -> {
                hostControl.get().assertAllowed("git-config-write");
                hostControl.get().assertAllowed("git-head-write");
                hostControl.get().assertAllowed("envrc-write");
            }));
            tests.add(Named.test(id, "a protected name that is a symlink (dotfiles) cannot be pinned: refused with one line (125)", () -> {
                Path p = suite.ownedDir(id, suite.workDir(id, "protected-link").resolve("project"), "rwxr-xr-x");
                Path real = suite.ownedFile(id, p.getParent().resolve("mcp.json"), "{}\n");
                EscapeSuite.chown(Files.createSymbolicLink(p.resolve(".mcp.json"), real), id.user());
                RunResult r = suite.launch(id, "protected-link").grant(p, "rw").server("/bin/true").run().assertExit(125);
                assertEquals(1, r.stderr().lines().count(), r::toString);
                assertTrue(r.stderr().contains(".mcp.json") && r.stderr().contains("symbolic link"), r::toString);
            }));
            // Formerly a known gap: names absent at launch (.git/hooks, a nested .git) cannot be pinned. Now the
            // shape is refused: a writable git work tree needs ':rw,unprotected'.
            tests.add(Named.test(id, "a writable git work tree is refused (125, one line, naming the opt-in); nothing ran", () -> {
                RunResult r = absentRefused.get().assertExit(125);
                assertEquals(1, r.stderr().lines().count(), r::toString);
                assertTrue(r.stderr().contains("git work tree " + bare.get())
                        && r.stderr().contains(bare.get() + ":rw,unprotected"), r::toString);
                assertFalse(Files.exists(bare.get().resolve(".mcp.json")) || Files.exists(bare.get().resolve("sub")),
                        "nothing was created");
            }));
            tests.add(Named.test(id, "control: the same folder granted read-only launches", () ->
                    absentReadOnly.get().assertAllowed("head")));
            tests.add(Named.test(id, "control: opted in with :rw,unprotected, the server can create a new .git in a"
                    + " subfolder (what the refusal prevents), but not inside the pinned .git", () -> {
                RunResult r = absentOptedIn.get();
                r.assertProbeCompleted(absentSteps.get().labels());
                r.assertAllowed("sub");
                r.assertAllowed("nested-git-again");
                r.assertAllowed("mcp-json");
                r.assertDenied("git-hooks", "EROFS");
                r.assertDenied("git-config", "EROFS");
            }));
            return Named.group(id, tests);
        });
    }

    /** The identity's real ~/.ssh/id_rsa: a fake one is planted (and removed afterwards) unless one exists. */
    static Path plantSshKey(EscapeSuite suite, Identity id) {
        Path ssh = id.home().resolve(".ssh");
        Path key = ssh.resolve("id_rsa");
        if (!Files.isDirectory(ssh)) {
            suite.ownedDir(id, ssh, "rwx------");
            suite.onCleanup(() -> EscapeSuite.deleteTree(ssh));
        }
        if (!Files.exists(key)) {
            suite.ownedFile(id, key, "-----BEGIN OPENSSH PRIVATE KEY----- (fake, planted by the mcp-contain escape suite)\n");
            EscapeSuite.chmod(key, "rw-------");
            suite.onCleanup(() -> {
                try {
                    Files.deleteIfExists(key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return key;
    }

    /** The first real disk of the host (/sys/block without loop, ram, zram and device-mapper entries). */
    static Path hostDisk() {
        try (Stream<Path> blocks = Files.list(Path.of("/sys/block"))) {
            return blocks.map(p -> p.getFileName().toString())
                    .filter(n -> !n.matches("(loop|ram|zram|dm-|md|sr|nbd).*")).sorted().findFirst()
                    .map(n -> Path.of("/dev", n)).orElse(Path.of("/dev/sda"));
        } catch (IOException e) {
            return Path.of("/dev/sda");
        }
    }

    @TestFactory
    Stream<DynamicNode> hostFiles() {
        EscapeSuite suite = EscapeSuite.get();
        Path disk = hostDisk();
        List<Path> hostKeys = sshHostKeysOrPlanted(suite);
        // Raw devices the host really has: for one it lacks, the containment's ENOENT proves nothing (the
        // 'device node in a grant' tests below cover the class: every grant is nodev).
        List<String> devices = new ArrayList<>();
        devices.add("disk");
        for (String name : List.of("mem", "kmsg", "port")) {
            if (Files.exists(Path.of("/dev", name))) {
                devices.add(name);
            }
        }
        return suite.identities().stream().map(id -> {
            Lazy<Path> key = Lazy.of(() -> plantSshKey(suite, id));
            Steps steps = Steps.of()
                    .add("ssh-key", "read", id.home().resolve(".ssh/id_rsa"))
                    .add("ssh-dir", "stat", id.home().resolve(".ssh"))
                    .add("shadow", "read", "/etc/shadow")
                    .add("shadow-stat", "stat", "/etc/shadow")
                    .add("shadow-chmod", "chmod", "/etc/shadow", "0644")
                    .add("gshadow", "read", "/etc/gshadow")
                    .add("gshadow-stat", "stat", "/etc/gshadow")
                    .add("passwd", "read", "/etc/passwd")
                    .add("etc-write", "write", "/etc/mcp-contain-it")
                    .add("usr-write", "write", "/usr/mcp-contain-it")
                    .add("root-write", "mkdir", "/mcp-contain-it")
                    .add("disk", "read", disk)
                    .add("mem", "read", "/dev/mem")
                    .add("kmsg", "read", "/dev/kmsg")
                    .add("port", "read", "/dev/port")
                    .add("dev", "ls", "/dev")
                    .add("devnull", "write", "/dev/null")
                    .add("mknod", "mknod", "/tmp/mem", 1, 1)
                    .add("sys", "ls", "/sys")
                    .add("proc-sys", "write", "/proc/sys/kernel/hostname")
                    .add("nosuid", "mounts-without", "nosuid")
                    .add("usr-flags", "statvfs", "/usr/bin")
                    .add("tmp-flags", "statvfs", "/tmp");
            for (int i = 0; i < hostKeys.size(); i++) {
                steps.add("host-key-" + i, "read", hostKeys.get(i));
                steps.add("host-key-stat-" + i, "stat", hostKeys.get(i));
            }
            Lazy<RunResult> contained = Lazy.of(() -> {
                key.get();
                return suite.launch(id, "host-files").probe(steps).run();
            });
            Lazy<RunResult> sshGranted = Lazy.of(() -> suite.launch(id, "ssh-granted")
                    .grant(key.get().getParent(), "ro").probe(Steps.of().add("ssh-key", "read", key.get())).run());
            Lazy<RunResult> rootControl = Lazy.of(() -> {
                Path scratch = suite.workDir(id, "mknod");
                Steps control = Steps.of()
                        .add("shadow", "read", "/etc/shadow")
                        .add("gshadow", "read", "/etc/gshadow")
                        .add("disk", "read", disk)
                        .add("mem", "read", "/dev/mem")
                        .add("kmsg", "read", "/dev/kmsg")
                        .add("port", "read", "/dev/port")
                        .add("mknod", "mknod", scratch.resolve("mem"), 1, 1)
                        .add("nosuid", "mounts-without", "nosuid");
                for (int i = 0; i < hostKeys.size(); i++) {
                    control.add("host-key-" + i, "read", hostKeys.get(i));
                    control.add("host-key-stat-" + i, "stat", hostKeys.get(i));
                }
                return suite.controlAsRoot(control);
            });
            // The same mknod by the server's uid outside, in a user+mount namespace of its own ('unshare -Urm').
            Lazy<RunResult> mknodOwnNamespace = Lazy.of(() -> suite.controlInPrivateNamespaces(id, Steps.of()
                    .add("tmp", "mount-tmpfs", "/tmp")
                    .add("mknod", "mknod", "/tmp/mem", 1, 1)));
            // Device nodes made by root on the host inside a writable grant, readable by everyone (0666), so that
            // only the grant's nodev can stop the open: /dev/kmsg's numbers (1,11) and /dev/zero's (1,5).
            Lazy<Path> nodes = Lazy.of(() -> {
                requireRoot(suite);
                Path dir = suite.ownedDir(id, suite.workDir(id, "nodes").resolve("granted"), "rwxr-xr-x");
                suite.exec("mknod", List.of("mknod", "-m", "0666", dir.resolve("kmsg").toString(), "c", "1", "11"),
                        java.util.Map.of(), EscapeSuite.DEFAULT_TIMEOUT).assertExit(0);
                suite.exec("mknod", List.of("mknod", "-m", "0666", dir.resolve("zero").toString(), "c", "1", "5"),
                        java.util.Map.of(), EscapeSuite.DEFAULT_TIMEOUT).assertExit(0);
                return dir;
            });
            Lazy<RunResult> nodesContained = Lazy.of(() -> suite.launch(id, "device-nodes").grant(nodes.get(), "rw")
                    .probe(Steps.of().add("kmsg-node", "read", nodes.get().resolve("kmsg"))
                            .add("zero-node", "read", nodes.get().resolve("zero"))
                            .add("grant-flags", "statvfs", nodes.get())).run());

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.labels())));
            tests.add(Named.test(id, "~/.ssh/id_rsa of the launching user: ENOENT (home not mounted)", () -> {
                contained.get().assertDenied("ssh-key", "ENOENT");
                contained.get().assertDenied("ssh-dir", "ENOENT");
            }));
            tests.add(Named.test(id, "control: with ~/.ssh granted read-only the key is readable", () ->
                    sshGranted.get().assertAllowed("ssh-key")));
            tests.add(Named.test(id, "control: the launching user reads the key on the host", () ->
                    suite.controlAsLauncher(id, Steps.of().add("ssh-key", "read", key.get())).assertAllowed("ssh-key")));
            tests.add(Named.test(id, "/etc/shadow: EACCES (masked: mode 0000, chmod EROFS); /etc/gshadow too", () -> {
                contained.get().assertDenied("shadow", "EACCES");
                assertEquals("0000", contained.get().assertAllowed("shadow-stat").field("mode").orElse(""),
                        contained.get()::toString);
                contained.get().assertDenied("shadow-chmod", "EROFS");
                contained.get().assertDenied("gshadow", "EACCES");
                assertEquals("0000", contained.get().assertAllowed("gshadow-stat").field("mode").orElse(""),
                        contained.get()::toString);
            }));
            tests.add(Named.test(id, "control: root reads /etc/gshadow on the host", () -> {
                requireRoot(suite);
                rootControl.get().assertAllowed("gshadow");
            }));
            tests.add(Named.test(id, "control: /etc/passwd readable inside; /etc/shadow readable by root on the host", () -> {
                contained.get().assertAllowed("passwd");
                requireRoot(suite);
                rootControl.get().assertAllowed("shadow");
            }));
            for (int i = 0; i < hostKeys.size(); i++) {
                String label = "host-key-" + i;
                String stat = "host-key-stat-" + i;
                tests.add(Named.test(id, "ssh host key " + hostKeys.get(i) + ": EACCES (masked: mode 0000)", () -> {
                    contained.get().assertDenied(label, "EACCES");
                    assertEquals("0000", contained.get().assertAllowed(stat).field("mode").orElse(""),
                            contained.get()::toString);
                }));
                tests.add(Named.test(id, "control: root reads ssh host key " + hostKeys.get(i) + " on the host (mode not 0000)", () -> {
                    requireRoot(suite);
                    rootControl.get().assertAllowed(label);
                    org.junit.jupiter.api.Assertions.assertNotEquals("0000",
                            rootControl.get().assertAllowed(stat).field("mode").orElse(""), rootControl.get()::toString);
                }));
            }
            if (hostKeys.isEmpty()) {
                tests.add(Named.test(id, "ssh host keys", () -> EscapeSuite.requireThat(false,
                        "this host has no /etc/ssh/*_key and the suite is not root, so it cannot plant one: "
                                + "the host key mask is untested")));
            }
            tests.add(Named.test(id, "system directories read-only: /etc, /usr and / itself: EROFS", () -> {
                contained.get().assertDenied("etc-write", "EROFS");
                contained.get().assertDenied("usr-write", "EROFS");
                contained.get().assertDenied("root-write", "EROFS");
            }));
            for (String device : devices) {
                Path path = switch (device) {
                    case "disk" -> disk;
                    default -> Path.of("/dev", device);
                };
                tests.add(Named.test(id, "raw device " + path + ": ENOENT (not in the minimal /dev)", () ->
                        contained.get().assertDenied(device, "ENOENT")));
                tests.add(Named.test(id, "control: root reads " + path + " on the host", () -> {
                    requireRoot(suite);
                    ProbeLine host = rootControl.get().line(device);
                    // Documented exception (README, "How it is tested"): a host that refuses even root (EPERM from
                    // a device cgroup, as on some CI VMs for the disk) leaves nothing to protect and no control; a
                    // skip even under CI=true. The nodev device-node tests below cover the class there.
                    org.junit.jupiter.api.Assumptions.assumeFalse(host.outcome().equals("errno=EPERM"),
                            "the host refuses even root " + path + " (EPERM, e.g. a device cgroup): no control possible");
                    rootControl.get().assertAllowed(device);
                }));
            }
            tests.add(Named.test(id, "device node with /dev/kmsg's numbers (1,11), mode 0666, in a writable grant: EACCES (nodev)", () -> {
                nodesContained.get().assertDenied("kmsg-node", "EACCES");
                nodesContained.get().assertValue("grant-flags", "rw,nosuid,nodev,exec");
            }));
            tests.add(Named.test(id, "control: root opens that same node on the host and reads the kernel log", () -> {
                requireRoot(suite);
                suite.controlAsRoot(Steps.of().add("kmsg-node", "read", nodes.get().resolve("kmsg"))).assertAllowed("kmsg-node");
            }));
            tests.add(Named.test(id, "device node with /dev/zero's numbers (1,5), mode 0666, in a writable grant: EACCES "
                    + "(control: the launching user reads that node on the host)", () -> {
                nodesContained.get().assertDenied("zero-node", "EACCES");
                suite.controlAsLauncher(id, Steps.of().add("zero-node", "read", nodes.get().resolve("zero"))).assertAllowed("zero-node");
            }));
            tests.add(Named.test(id, "/dev holds only the minimal set; /dev/null works", () -> {
                contained.get().assertValue("dev", "fd,full,null,ptmx,pts,random,shm,stderr,stdin,stdout,tty,urandom,zero");
                contained.get().assertAllowed("devnull");
            }));
            tests.add(Named.test(id, "mknod of /dev/mem's numbers in /tmp: EPERM (root on the host can)", () -> {
                contained.get().assertDenied("mknod", "EPERM");
                requireRoot(suite);
                rootControl.get().assertAllowed("mknod");
            }));
            // No positive control by the same uid exists: a non-root uid never gets CAP_MKNOD, not even in a user
            // namespace of its own. This states that plainly; nodev grants (tested above) are the containment's part.
            tests.add(Named.test(id, "mknod by the server's uid in its own user+mount namespace outside: EPERM too "
                    + "(ordinary permission, not a containment claim)", () -> {
                mknodOwnNamespace.get().assertAllowed("tmp");
                mknodOwnNamespace.get().assertDenied("mknod", "EPERM");
            }));
            tests.add(Named.test(id, "no /sys; /proc/sys read-only: EROFS", () -> {
                contained.get().assertDenied("sys", "ENOENT");
                contained.get().assertDenied("proc-sys", "EROFS");
            }));
            tests.add(Named.test(id, "every mount is nosuid; /usr ro,nosuid,nodev; /tmp nosuid,nodev (control: the host has suid mounts)", () -> {
                contained.get().assertValue("nosuid", "none");
                contained.get().assertValue("usr-flags", "ro,nosuid,nodev,exec");
                contained.get().assertValue("tmp-flags", "rw,nosuid,nodev,exec");
                requireRoot(suite);
                org.junit.jupiter.api.Assertions.assertNotEquals("VALUE none", rootControl.get().line("nosuid").outcome(),
                        rootControl.get()::toString);
            }));
            if (suite.suiteIsRoot() && !id.root()) {
                // A setuid-root binary the user can run: outside, it makes the user root; inside, nosuid and
                // no_new_privs leave the server as it was. Reachable only by this user (0700 directory), and
                // removed as soon as both runs are done.
                Lazy<RunResult[]> suid = Lazy.of(() -> {
                    Path dir = suite.workDir(id, "suid");
                    Path binary = dir.resolve("suid-probe");
                    try {
                        Files.copy(suite.probe(), binary);
                        EscapeSuite.chown(binary, HostProcesses.account("root").orElseThrow());
                        // java.nio cannot set the setuid bit.
                        suite.exec("chmod 4755", List.of("chmod", "4755", binary.toString()), java.util.Map.of(),
                                EscapeSuite.DEFAULT_TIMEOUT).assertExit(0);
                        RunResult inside = suite.launch(id, "suid").grant(dir, "rw")
                                .server(binary.toString(), "@ids", "ids").run();
                        RunResult outside = suite.exec("setuid control", id.launch(List.of(binary.toString(), "@ids", "ids")),
                                java.util.Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
                        return new RunResult[] {inside, outside};
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        EscapeSuite.deleteTree(dir);
                    }
                });
                tests.add(Named.test(id, "a setuid-root binary in a grant gives the server nothing (control: root outside)", () -> {
                    RunResult inside = suid.get()[0];
                    RunResult outside = suid.get()[1];
                    String ids = inside.line("ids").detail();
                    assertTrue(ids.contains(" euid=" + id.serverUser().uid() + " "), () -> "euid inside\n" + inside);
                    assertTrue(outside.line("ids").detail().contains(" euid=0 "), () -> "the control did not become root\n" + outside);
                }));
            }
            return Named.group(id, tests);
        });
    }

    private static List<Path> sshHostKeys() {
        try (Stream<Path> files = Files.list(Path.of("/etc/ssh"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("_key")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The host's ssh host keys; on a host without any (no openssh-server), a root suite plants
     * /etc/ssh/ssh_host_mcpcontain_test_key (root, 0600) for the suite's duration: the mask lists /etc/ssh/*_key
     * when each run is planned, so the planted key goes through the very same path as a real one.
     */
    private static List<Path> sshHostKeysOrPlanted(EscapeSuite suite) {
        List<Path> keys = sshHostKeys();
        if (!keys.isEmpty() || !suite.suiteIsRoot()) {
            return keys;
        }
        Path dir = Path.of("/etc/ssh");
        Path key = dir.resolve("ssh_host_mcpcontain_test_key");
        try {
            if (!Files.isDirectory(dir)) {
                EscapeSuite.mkdirs(dir, "rwxr-xr-x");
                suite.onCleanup(() -> EscapeSuite.deleteTree(dir));
            }
            Files.writeString(key, "-----BEGIN OPENSSH PRIVATE KEY----- (planted by the mcp-contain escape suite)\n");
            EscapeSuite.chmod(key, "rw-------");
            EscapeSuite.chown(key, HostProcesses.account("root").orElseThrow());
            suite.onCleanup(() -> {
                try {
                    Files.deleteIfExists(key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sshHostKeys();
    }

    static void requireRoot(EscapeSuite suite) {
        EscapeSuite.requireThat(suite.suiteIsRoot(), "this positive control needs the suite to run as root");
    }

    private static Steps grantSteps(Layout l) {
        Path secret = l.outside().resolve("secret.txt");
        Steps s = Steps.of()
                .add("read-outside", "read", secret)
                .add("write-outside", "write", l.outside().resolve("new.txt"))
                .add("ls-work", "ls", l.work())
                .add("dotdot", "read", l.rw() + "/../outside/secret.txt")
                .add("read-ro", "read", l.ro().resolve("file.txt"));
        // Each operation on the read-only grant, and the same on the writable one as its positive control.
        for (Path grant : List.of(l.ro(), l.rw())) {
            String suffix = grant.equals(l.ro()) ? "-ro" : "-rw";
            Path file = grant.resolve(grant.equals(l.ro()) ? "file.txt" : "victim.txt");
            s.add("write" + suffix, "write", grant.resolve("created" + suffix + ".txt"))
                    .add("create" + suffix, "create", grant.resolve("exclusive" + suffix + ".txt"))
                    .add("append" + suffix, "append", file)
                    .add("truncate" + suffix, "truncate", file)
                    .add("chmod" + suffix, "chmod", file, "0600")
                    .add("mkdir" + suffix, "mkdir", grant.resolve("dir" + suffix))
                    .add("symlink" + suffix, "symlink", "file.txt", grant.resolve("link" + suffix));
            if (grant.equals(l.ro())) {
                s.add("rename-ro", "rename", file, grant.resolve("renamed.txt"))
                        .add("unlink-ro", "unlink", file);
            } else {
                s.add("rename-rw", "rename", grant.resolve("created-rw.txt"), grant.resolve("renamed-rw.txt"))
                        .add("rename-back-rw", "rename", grant.resolve("renamed-rw.txt"), grant.resolve("created-rw.txt"))
                        .add("unlink-rw", "unlink", grant.resolve("exclusive-rw.txt"));
            }
        }
        return s.add("planted-link", "read", l.rw().resolve("planted-link"))
                .add("make-link", "symlink", secret, l.rw().resolve("made-link"))
                .add("read-made-link", "read", l.rw().resolve("made-link"))
                .add("hardlink-out", "link", l.rw().resolve("file.txt"), "/tmp/hardlink")
                .add("hardlink-in", "link", l.rw().resolve("file.txt"), l.rw().resolve("hardlink"))
                .add("rename-out", "rename", l.rw().resolve("file.txt"), "/tmp/moved")
                .add("hardlink-ro-to-rw", "link", l.ro().resolve("file.txt"), l.rw().resolve("from-ro"))
                .add("rename-ro-to-rw", "rename", l.ro().resolve("file.txt"), l.rw().resolve("moved-from-ro"));
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
