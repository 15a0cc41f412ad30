package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, classes 1, 3 and 5 through the shape of a writable grant: places whose files the system, other users or
 * the user's shell run, which a server must not be able to write without the grant opting in (':rw,unprotected').
 * <ul>
 *   <li>a folder inside a system directory (/etc, /usr, /var, /opt, ...) that the server would write as someone
 *       other than the launching user: a root launcher's grant is idmapped from its owner (root) to the agent, so
 *       {@code --grant /etc/cron.d:rw} let a server create a root-owned cron job;</li>
 *   <li>a folder on the launcher's PATH, or one holding or inside one: a program planted there runs in place of
 *       the command a user types;</li>
 *   <li>a writable grant holding a folder the launcher cannot search, owned by someone the server writes as: a
 *       previous run's {@code chmod 000 proj} hid {@code proj/.vscode} from the next launch's walk, which then
 *       did not pin it, and that server made proj searchable again and rewrote {@code .vscode/tasks.json}.</li>
 * </ul>
 * Each refusal is next to its control: the same grant opted in, where the server really does what the refusal is
 * about.
 */
class TrustedLocationGrantIT {

    @TestFactory
    Stream<DynamicNode> trustedLocations() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            if (id.root()) {
                tests.add(Named.test(id, "a writable grant of a folder in /etc (root's, idmapped to the agent) is"
                        + " refused (125, one line); control: opted in, the server creates a file that is root's on"
                        + " the host (a cron job, were the folder /etc/cron.d); read-only launches", () -> {
                    Path dir = Path.of("/etc/mcp-contain-it-" + EscapeSuite.randomHex(4) + ".d");
                    EscapeSuite.mkdirs(dir, "rwxr-xr-x");
                    suite.onCleanup(() -> EscapeSuite.deleteTree(dir));
                    RunResult refused = suite.launch(id, "etc-sub-rw").grant(dir, "rw").server("/bin/true").run()
                            .assertExit(125);
                    assertEquals(1, refused.stderr().lines().count(), refused::toString);
                    assertTrue(refused.stderr().contains(dir + " lies in the system directory /etc"), refused::toString);
                    assertTrue(refused.stderr().contains(dir + ":rw,unprotected"), refused::toString);
                    suite.launch(id, "etc-sub-ro").grant(dir, "ro").server("/bin/true").run().assertExit(0);
                    Path job = dir.resolve("job");
                    RunResult opted = suite.launch(id, "etc-sub-unprotected").grant(dir, "rw,unprotected")
                            .probe(Steps.of().add("plant", "write", job)).run();
                    opted.assertAllowed("plant");
                    assertEquals(0, uid(job), "the file the agent wrote is root's on the host");
                }));
                tests.add(Named.test(id, "a writable grant of /usr/local/bin (on every PATH) is refused", () -> {
                    Path bin = Path.of("/usr/local/bin");
                    EscapeSuite.requireThat(Files.isDirectory(bin, LinkOption.NOFOLLOW_LINKS), "no " + bin);
                    RunResult refused = suite.launch(id, "usr-local-bin").grant(bin, "rw").server("/bin/true").run()
                            .assertExit(125);
                    assertTrue(refused.stderr().contains("lies in the system directory /usr"), refused::toString);
                    suite.launch(id, "usr-local-bin-ro").grant(bin, "ro").server("/bin/true").run().assertExit(0);
                }));
            } else {
                tests.add(Named.test(id, "the user's own folder in /var/tmp may be granted writable (the server writes"
                        + " as the user); /var/tmp itself (others' files) is refused", () -> {
                    Path own = suite.ownedDir(id, Path.of("/var/tmp/mcp-contain-it-" + EscapeSuite.randomHex(4)),
                            "rwx------");
                    suite.onCleanup(() -> EscapeSuite.deleteTree(own));
                    suite.launch(id, "var-tmp-own").grant(own, "rw").probe(Steps.of().add("write", "write",
                            own.resolve("made-here"))).run().assertAllowed("write");
                    RunResult refused = suite.launch(id, "var-tmp").grant(Path.of("/var/tmp"), "rw")
                            .server("/bin/true").run().assertExit(125);
                    assertTrue(refused.stderr().contains("/var/tmp is the system directory /var")
                            || refused.stderr().contains("/var/tmp lies in the system directory /var"), refused::toString);
                }));
            }

            tests.add(Named.test(id, "a writable grant holding a folder on the launcher's PATH is refused (125, one"
                    + " line), as is the folder itself; control: without it on PATH the server plants a program"
                    + " there; opted in too", () -> {
                Path tools = suite.ownedDir(id, suite.workDir(id, "path-dir").resolve("tools"), "rwxr-xr-x");
                Path bin = suite.ownedDir(id, tools.resolve("bin"), "rwxr-xr-x");
                String path = "PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin";
                for (Path grant : List.of(tools, bin)) {
                    RunResult refused = suite.launch(id, "path-dir").innerWrapper("env", path).grant(grant, "rw")
                            .server("/bin/true").run().assertExit(125);
                    assertEquals(1, refused.stderr().lines().count(), refused::toString);
                    assertTrue(refused.stderr().contains("a folder on the launcher's PATH"), refused::toString);
                }
                suite.launch(id, "path-dir-ro").innerWrapper("env", path).grant(tools, "ro").server("/bin/true").run()
                        .assertExit(0);
                suite.launch(id, "path-dir-absent").grant(tools, "rw")
                        .probe(Steps.of().add("plant", "write", bin.resolve("ls"))).run().assertAllowed("plant");
                suite.launch(id, "path-dir-unprotected").innerWrapper("env", path).grant(tools, "rw,unprotected")
                        .probe(Steps.of().add("plant", "write", bin.resolve("git"))).run().assertAllowed("plant");
            }));

            tests.add(Named.test(id, "a folder made unsearchable (chmod 000) cannot hide a protected name from the"
                    + " next launch: the writable grant is refused (125, one line); read-only launches; control: opted"
                    + " in, the server opens the folder again and rewrites .vscode/tasks.json", () -> {
                Path grant = suite.ownedDir(id, suite.workDir(id, "hidden").resolve("g"), "rwxr-xr-x");
                Path proj = suite.ownedDir(id, grant.resolve("proj"), "rwxr-xr-x");
                suite.ownedDir(id, proj.resolve(".vscode"), "rwxr-xr-x");
                Path tasks = suite.ownedFile(id, proj.resolve(".vscode/tasks.json"), "{}\n");
                // What a previous run can do: proj is a writable pinned folder, its mode the server's to change.
                suite.launch(id, "hidden-prepare").grant(grant, "rw")
                        .probe(Steps.of().add("hide", "chmod", proj, "0")).run().assertAllowed("hide");
                Steps attack = Steps.of().add("open", "chmod", proj, "0755").add("tasks", "append", tasks);
                RunResult refused = suite.launch(id, "hidden").grant(grant, "rw").probe(attack).run().assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains(proj + " cannot be searched"), refused::toString);
                suite.launch(id, "hidden-ro").grant(grant, "ro").server("/bin/true").run().assertExit(0);
                RunResult opted = suite.launch(id, "hidden-unprotected").grant(grant, "rw,unprotected").probe(attack).run();
                opted.assertAllowed("open");
                opted.assertAllowed("tasks");
            }));
            tests.add(Named.test(id, "a bind mount of /etc/security (masks go by name) as a grant, or inside one:"
                    + " refused (125, one line); control: the same folders without the mount launch and list it", () -> {
                EscapeSuite.requireThat(suite.suiteIsRoot(), "making a bind mount on the host needs a root suite");
                Path data = suite.ownedDir(id, suite.workDir(id, "alias").resolve("data"), "rwxr-xr-x");
                Path sec = suite.ownedDir(id, data.resolve("sec"), "rwxr-xr-x");
                EscapeSuite.hostCommand("mount", "--bind", "/etc/security", sec.toString());
                RunResult holds;
                RunResult is;
                try {
                    holds = suite.launch(id, "alias-holds").grant(data, "ro").server("/bin/true").run();
                    is = suite.launch(id, "alias-is").grant(sec, "ro").server("/bin/true").run();
                } finally {
                    EscapeSuite.hostCommand("umount", sec.toString());
                }
                holds.assertExit(125);
                assertEquals(1, holds.stderr().lines().count(), holds::toString);
                assertTrue(holds.stderr().contains(data + " holds " + sec + ", another name (a mount) of /etc/security"),
                        holds::toString);
                is.assertExit(125);
                assertTrue(is.stderr().contains(sec + " is another name (through a mount) of /etc/security"), is::toString);
                suite.launch(id, "alias-gone").grant(data, "ro").probe(Steps.of().add("ls", "ls", data)).run()
                        .assertValue("ls", "sec");
            }));
            if (id.root()) {
                tests.add(Named.test(id, "a bind mount of a root-owned folder in /etc granted writable under another"
                        + " name: refused (125); control: by its own name, opted in, the server creates a root-owned"
                        + " file there", () -> {
                    Path dir = Path.of("/etc/mcp-contain-it-" + EscapeSuite.randomHex(4) + ".d");
                    EscapeSuite.mkdirs(dir, "rwxr-xr-x");
                    suite.onCleanup(() -> EscapeSuite.deleteTree(dir));
                    Path alias = suite.ownedDir(id, suite.workDir(id, "alias-rw").resolve("cron"), "rwxr-xr-x");
                    EscapeSuite.hostCommand("mount", "--bind", dir.toString(), alias.toString());
                    RunResult refused;
                    try {
                        refused = suite.launch(id, "alias-rw").grant(alias, "rw,unprotected").server("/bin/true").run();
                    } finally {
                        EscapeSuite.hostCommand("umount", alias.toString());
                    }
                    refused.assertExit(125);
                    assertTrue(refused.stderr().contains(alias + " is another name (through a mount) of " + dir),
                            refused::toString);
                    suite.launch(id, "alias-rw-own-name").grant(dir, "rw,unprotected")
                            .probe(Steps.of().add("plant", "write", dir.resolve("job"))).run().assertAllowed("plant");
                    assertEquals(0, uid(dir.resolve("job")));
                }));
            }
            tests.add(Named.test(id, "a writable grant inside a home's dot-directory (~/.local/share/dbus-1/services"
                    + " starts what a .service file names, ~/.cache holds wheels pip installs) is refused (125, one"
                    + " line); control: opted in, the server writes a D-Bus service file there", () -> {
                Path local = id.home().resolve(".local");
                Path dir = local.resolve("share/mcp-contain-it-" + EscapeSuite.randomHex(4));
                Path services = dir.resolve("dbus-1/services");
                // Only what this test makes is owned, moded and removed again (never the home's own folders).
                Path first = null;
                for (Path p = services; !p.equals(id.home()); p = p.getParent()) {
                    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        first = p;
                    }
                }
                Files.createDirectories(services);
                for (Path p = services; p.startsWith(first); p = p.getParent()) {
                    EscapeSuite.chmod(p, p.equals(first) && !p.equals(dir) ? "rwx------" : "rwxr-xr-x");
                    EscapeSuite.chown(p, id.user());
                }
                Path made = first;
                suite.onCleanup(() -> EscapeSuite.deleteTree(made));
                RunResult refused = suite.launch(id, "dot-dir").grant(services, "rw").server("/bin/true").run()
                        .assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains(services + " lies in " + local), refused::toString);
                suite.launch(id, "dot-dir-ro").grant(services, "ro").server("/bin/true").run().assertExit(0);
                suite.launch(id, "dot-dir-unprotected").grant(services, "rw,unprotected")
                        .probe(Steps.of().add("plant", "write", services.resolve("org.example.Plant.service"))).run()
                        .assertAllowed("plant");
            }));
            tests.add(Named.test(id, "a protected project name granted writable by its own name (.vscode, .envrc) or"
                    + " a folder in it: refused (125, one line); control: opted in, the server writes tasks.json", () -> {
                Path proj = suite.ownedDir(id, suite.workDir(id, "named").resolve("proj"), "rwxr-xr-x");
                Path vscode = suite.ownedDir(id, proj.resolve(".vscode"), "rwxr-xr-x");
                Path envrc = suite.ownedFile(id, proj.resolve(".envrc"), "");
                for (Path grant : List.of(vscode, envrc)) {
                    RunResult refused = suite.launch(id, "named").grant(grant, "rw").server("/bin/true").run()
                            .assertExit(125);
                    assertEquals(1, refused.stderr().lines().count(), refused::toString);
                    assertTrue(refused.stderr().contains(grant + " is " + grant), refused::toString);
                }
                suite.launch(id, "named-unprotected").grant(vscode, "rw,unprotected")
                        .probe(Steps.of().add("tasks", "write", vscode.resolve("tasks.json"))).run().assertAllowed("tasks");
            }));
            tests.add(Named.test(id, "a file the user's ~/.gitconfig includes (includeIf path), inside a writable"
                    + " grant: absent, the grant is refused (125, one line); present, it is read-only (EROFS) while"
                    + " the rest of the grant is writable; control: once ~/.gitconfig no longer names it, the server writes it", () -> {
                Path grant = suite.ownedDir(id, suite.workDir(id, "included").resolve("work"), "rwxr-xr-x");
                Path included = grant.resolve(".gitconfig-work");
                Path gitconfig = id.home().resolve(".gitconfig");
                String before = Files.exists(gitconfig) ? EscapeSuite.read(gitconfig) : null;
                suite.onCleanup(() -> {
                    try {
                        if (before == null) {
                            Files.deleteIfExists(gitconfig);
                        } else {
                            Files.writeString(gitconfig, before);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                suite.ownedFile(id, gitconfig, (before == null ? "" : before) + "\n[includeIf \"gitdir:" + grant
                        + "/\"]\n\tpath = " + included + "\n");
                RunResult refused = suite.launch(id, "included-absent").grant(grant, "rw").server("/bin/true").run()
                        .assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains(gitconfig + " names " + included), refused::toString);
                suite.ownedFile(id, included, "[user]\n\tname = someone\n");
                Steps steps = Steps.of().add("included", "append", included).add("other", "write", grant.resolve("notes"));
                RunResult pinned = suite.launch(id, "included").grant(grant, "rw").probe(steps).run();
                pinned.assertDenied("included", "EROFS");
                pinned.assertAllowed("other");
                Files.writeString(gitconfig, before == null ? "" : before);
                suite.launch(id, "included-not-referenced").grant(grant, "rw").probe(steps).run()
                        .assertAllowed("included");
            }));
            tests.add(Named.test(id, "start-up files interactive tools read from the working directory (.pdbrc,"
                    + " .Rprofile, .Renviron, .irbrc): a new one is refused (EPERM), an existing one in a sub-folder"
                    + " is read-only (EROFS); control: opted in, both are written", () -> {
                Path grant = suite.ownedDir(id, suite.workDir(id, "repl").resolve("data"), "rwxr-xr-x");
                Path analysis = suite.ownedDir(id, grant.resolve("analysis"), "rwxr-xr-x");
                Path rprofile = suite.ownedFile(id, analysis.resolve(".Rprofile"), "# the user's\n");
                Steps steps = Steps.of().add("pdbrc", "create", grant.resolve(".pdbrc"))
                        .add("renviron", "create", analysis.resolve(".Renviron"))
                        .add("irbrc", "create", grant.resolve(".irbrc"))
                        .add("rprofile", "append", rprofile)
                        .add("plain", "create", analysis.resolve("notes.R"));
                RunResult r = suite.launch(id, "repl").grant(grant, "rw").probe(steps).run();
                r.assertDenied("pdbrc", "EPERM");
                r.assertDenied("renviron", "EPERM");
                r.assertDenied("irbrc", "EPERM");
                r.assertDenied("rprofile", "EROFS");
                r.assertAllowed("plain");
                Path other = suite.ownedDir(id, suite.workDir(id, "repl-open").resolve("data"), "rwxr-xr-x");
                Path otherProfile = suite.ownedFile(id, other.resolve(".Rprofile"), "# the user's\n");
                RunResult opted = suite.launch(id, "repl-unprotected").grant(other, "rw,unprotected").probe(Steps.of()
                        .add("pdbrc", "create", other.resolve(".pdbrc")).add("rprofile", "append", otherProfile)).run();
                opted.assertAllowed("pdbrc");
                opted.assertDenied("rprofile", "EROFS"); // what exists stays pinned, even opted in
            }));
            tests.add(Named.test(id, "an unnamed O_TMPFILE file linked in as .envrc (linkat AT_EMPTY_PATH, and"
                    + " through /proc/self/fd with AT_SYMLINK_FOLLOW): EPERM; control: as an ordinary name, and"
                    + " opted in as .envrc", () -> {
                Path grant = suite.ownedDir(id, suite.workDir(id, "tmpfile").resolve("g"), "rwxr-xr-x");
                Steps steps = Steps.of().add("empty", "tmpfile-link", grant, ".envrc", "empty")
                        .add("proc", "tmpfile-link", grant, ".vscode", "proc")
                        .add("plain", "tmpfile-link", grant, "notes.txt", "empty");
                RunResult r = suite.launch(id, "tmpfile").grant(grant, "rw").probe(steps).run();
                r.assertDenied("empty", "EPERM");
                r.assertDenied("proc", "EPERM");
                r.assertAllowed("plain");
                Path other = suite.ownedDir(id, suite.workDir(id, "tmpfile-open").resolve("g"), "rwxr-xr-x");
                suite.launch(id, "tmpfile-unprotected").grant(other, "rw,unprotected")
                        .probe(Steps.of().add("empty", "tmpfile-link", other, ".envrc", "empty")).run()
                        .assertAllowed("empty");
            }));
            return Named.group(id, tests);
        });
    }

    private static int uid(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
