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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, class 3: every git control directory or gitfile in a writable grant is read-only as a whole, nested
 * repositories and submodule/worktree gitfiles included, and the folders holding them cannot be renamed away.
 * Shapes where a new trusted name could be created (a grant inside or holding a git work tree, a home) are refused
 * unless the grant says ':rw,unprotected'; the controls show the same grant read-only launches, and opted in the
 * server really can plant the name the refusal is about.
 */
class GitAndStartupFilesIT {

    @TestFactory
    Stream<DynamicNode> gitAndStartupFiles() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> repo = Lazy.of(() -> {
                Path r = suite.ownedDir(id, suite.workDir(id, "nested-git").resolve("repo"), "rwxr-xr-x");
                suite.ownedDir(id, r.resolve(".git"), "rwxr-xr-x");
                suite.ownedFile(id, r.resolve(".git/config"), "[core]\n");
                Path nested = suite.ownedDir(id, r.resolve("libs"), "rwxr-xr-x");
                nested = suite.ownedDir(id, nested.resolve("nested"), "rwxr-xr-x");
                suite.ownedDir(id, nested.resolve(".git"), "rwxr-xr-x");
                suite.ownedFile(id, nested.resolve(".git/config"), "[core]\n");
                Path module = suite.ownedDir(id, r.resolve("module"), "rwxr-xr-x");
                suite.ownedFile(id, module.resolve(".git"), "gitdir: ../.git/modules/module\n");
                suite.ownedFile(id, r.resolve("libs/readme.txt"), "libs\n");
                // a linked worktree's administrative folder: a git directory of its own (HEAD, commondir), inside .git
                Path admin = suite.ownedDir(id, r.resolve(".git/worktrees"), "rwxr-xr-x");
                admin = suite.ownedDir(id, admin.resolve("wt"), "rwxr-xr-x");
                suite.ownedFile(id, admin.resolve("HEAD"), "ref: refs/heads/wt\n");
                suite.ownedFile(id, admin.resolve("commondir"), "../..\n");
                Path linked = suite.ownedDir(id, r.resolve("linked"), "rwxr-xr-x");
                suite.ownedFile(id, admin.resolve("gitdir"), linked.resolve(".git") + "\n");
                suite.ownedFile(id, linked.resolve(".git"), "gitdir: " + admin + "\n");
                return r;
            });
            Lazy<Steps> steps = Lazy.of(() -> {
                Path r = repo.get();
                return Steps.of()
                        .add("nested-config", "write", r.resolve("libs/nested/.git/config"))
                        .add("nested-hooks", "mkdir", r.resolve("libs/nested/.git/hooks"))
                        .add("nested-commondir", "write", r.resolve("libs/nested/.git/commondir"))
                        .add("nested-rename", "rename", r.resolve("libs/nested/.git"), r.resolve("libs/nested/git.old"))
                        .add("libs-rename", "rename", r.resolve("libs"), r.resolve("libs.old"))
                        .add("gitfile-write", "write", r.resolve("module/.git"))
                        .add("gitfile-unlink", "unlink", r.resolve("module/.git"))
                        .add("module-rename", "rename", r.resolve("module"), r.resolve("module.old"))
                        .add("top-commondir", "write", r.resolve(".git/commondir"))
                        .add("worktree-commondir", "append", r.resolve(".git/worktrees/wt/commondir"))
                        .add("worktree-config", "create", r.resolve(".git/worktrees/wt/config.worktree"))
                        .add("worktree-gitfile", "append", r.resolve("linked/.git"))
                        .add("libs-file", "write", r.resolve("libs/readme.txt"))
                        .add("libs-new", "mkdir", r.resolve("libs/new"));
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "nested-git").grant(repo.get(), "rw,unprotected")
                    .probe(steps.get()).run());
            Lazy<RunResult> hostControl = Lazy.of(() -> {
                contained.get();
                Path r = repo.get();
                return suite.controlAsLauncher(id, Steps.of()
                        .add("nested-config", "append", r.resolve("libs/nested/.git/config"))
                        .add("gitfile-write", "append", r.resolve("module/.git"))
                        .add("worktree-commondir", "append", r.resolve(".git/worktrees/wt/commondir")));
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            tests.add(Named.test(id, "a nested repository's .git: config, hooks, commondir EROFS; renaming it EBUSY", () -> {
                contained.get().assertDenied("nested-config", "EROFS");
                contained.get().assertDenied("nested-hooks", "EROFS");
                contained.get().assertDenied("nested-commondir", "EROFS");
                contained.get().assertDenied("nested-rename", "EBUSY");
                contained.get().assertDenied("top-commondir", "EROFS");
            }));
            tests.add(Named.test(id, "a submodule's gitfile (gitdir:): write EROFS, unlink EBUSY", () -> {
                contained.get().assertDenied("gitfile-write", "EROFS");
                contained.get().assertDenied("gitfile-unlink", "EBUSY");
            }));
            tests.add(Named.test(id, "a linked worktree's administrative folder (.git/worktrees/wt: HEAD, commondir) is"
                    + " read-only with the .git holding it: EROFS; its worktree's gitfile too", () -> {
                contained.get().assertDenied("worktree-commondir", "EROFS");
                contained.get().assertDenied("worktree-config", "EROFS");
                contained.get().assertDenied("worktree-gitfile", "EROFS");
                hostControl.get().assertAllowed("worktree-commondir");
            }));
            tests.add(Named.test(id, "the folders holding them cannot be renamed away to plant new ones: EBUSY", () -> {
                contained.get().assertDenied("libs-rename", "EBUSY");
                contained.get().assertDenied("module-rename", "EBUSY");
            }));
            tests.add(Named.test(id, "control: those folders stay writable inside", () -> {
                contained.get().assertAllowed("libs-file");
                contained.get().assertAllowed("libs-new");
            }));
            tests.add(Named.test(id, "control: the launching user writes the nested config and the gitfile on the host", () -> {
                hostControl.get().assertAllowed("nested-config");
                hostControl.get().assertAllowed("gitfile-write");
            }));

            tests.add(Named.test(id, "a writable grant inside a git work tree is refused (a new .git there would be"
                    + " found first); control: read-only launches", () -> {
                Path r = suite.ownedDir(id, suite.workDir(id, "inside-repo").resolve("repo"), "rwxr-xr-x");
                suite.ownedDir(id, r.resolve(".git"), "rwxr-xr-x");
                Path sub = suite.ownedDir(id, r.resolve("src"), "rwxr-xr-x");
                RunResult refused = suite.launch(id, "inside-repo").grant(sub, "rw").server("/bin/true").run().assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains("lies in the git work tree " + r), refused::toString);
                suite.launch(id, "inside-repo-ro").grant(sub, "ro").server("/bin/true").run().assertExit(0);
                RunResult opted = suite.launch(id, "inside-repo-unprotected").grant(sub, "rw,unprotected")
                        .probe(Steps.of().add("plant", "mkdir", sub.resolve(".git"))).run();
                opted.assertAllowed("plant");
            }));
            tests.add(Named.test(id, "a writable grant holding a git repository is refused; control: read-only launches", () -> {
                Path holder = suite.ownedDir(id, suite.workDir(id, "holder").resolve("projects"), "rwxr-xr-x");
                Path r = suite.ownedDir(id, holder.resolve("one"), "rwxr-xr-x");
                suite.ownedDir(id, r.resolve(".git"), "rwxr-xr-x");
                RunResult refused = suite.launch(id, "holder").grant(holder, "rw").server("/bin/true").run().assertExit(125);
                assertTrue(refused.stderr().contains("holds the git work tree " + r), refused::toString);
                suite.launch(id, "holder-ro").grant(holder, "ro").server("/bin/true").run().assertExit(0);
            }));
            tests.add(Named.test(id, "a bare repository in a writable grant: its config and hooks are read-only (EROFS),"
                    + " it cannot be renamed away (EBUSY), and the user's next 'git log' there does not run the"
                    + " server's pager; granted itself (or a folder in it) writable: refused (125, one line); control:"
                    + " opted in with ,unprotected the server plants the same config and hook, and 'git log' runs it", () -> {
                Path base = suite.workDir(id, "bare");
                Path repos = suite.ownedDir(id, base.resolve("repos"), "rwxr-xr-x");
                Path bare = repos.resolve("project.git");
                gitAsUser(suite, id, "set -e; git init -q --bare -b main '" + bare + "'; t=$(git --git-dir='" + bare
                        + "' hash-object -w -t tree /dev/null); c=$(git --git-dir='" + bare + "' commit-tree $t -m"
                        + " first-commit); git --git-dir='" + bare + "' update-ref refs/heads/main $c").assertExit(0);
                suite.ownedFile(id, repos.resolve("notes.txt"), "notes\n");
                Path pagerRan = base.resolve("pager-ran");
                Steps plant = Steps.of()
                        .add("config", "append-text", bare.resolve("config"), "\tpager = \"touch " + pagerRan + "; cat\"\n")
                        .add("hook", "append-text", bare.resolve("hooks/post-update"), "#!/bin/sh\ntouch " + pagerRan
                                + "\n")
                        .add("hook-mode", "chmod", bare.resolve("hooks/post-update"), "0755");
                Steps attack = Steps.of()
                        .add("config", "append-text", bare.resolve("config"), "\tpager = \"touch " + pagerRan + "; cat\"\n")
                        .add("hook", "append-text", bare.resolve("hooks/post-update"), "#!/bin/sh\ntouch " + pagerRan
                                + "\n")
                        .add("hooks-rename", "rename", bare.resolve("hooks"), bare.resolve("hooks.old"))
                        .add("head", "append", bare.resolve("HEAD"))
                        .add("bare-rename", "rename", bare, repos.resolve("project.old"))
                        .add("sibling", "append", repos.resolve("notes.txt"));

                RunResult r = suite.launch(id, "bare-holder").grant(repos, "rw").probe(attack).run();
                r.assertProbeCompleted(attack.labels());
                r.assertDenied("config", "EROFS");
                r.assertDenied("hook", "EROFS");
                r.assertDenied("hooks-rename", "EROFS");
                r.assertDenied("head", "EROFS");
                r.assertDenied("bare-rename", "EBUSY");
                r.assertAllowed("sibling");
                RunResult log = gitLogOnATerminal(suite, id, bare);
                assertTrue(log.stdout().contains("first-commit"), log::toString);
                assertFalse(Files.exists(pagerRan), "the planted pager ran: " + log);

                RunResult is = suite.launch(id, "bare-rw").grant(bare, "rw").server("/bin/true").run().assertExit(125);
                assertEquals(1, is.stderr().lines().count(), is::toString);
                assertTrue(is.stderr().contains(bare + " is the git directory " + bare + " (a bare repository"), is::toString);
                RunResult inside = suite.launch(id, "bare-hooks-rw").grant(bare.resolve("hooks"), "rw").server("/bin/true")
                        .run().assertExit(125);
                assertEquals(1, inside.stderr().lines().count(), inside::toString);
                assertTrue(inside.stderr().contains("lies inside the git directory " + bare), inside::toString);
                suite.launch(id, "bare-ro").grant(bare, "ro").server("/bin/true").run().assertExit(0);

                RunResult opted = suite.launch(id, "bare-unprotected").grant(bare, "rw,unprotected").probe(plant).run();
                opted.assertProbeCompleted(plant.labels());
                opted.assertAllowed("config");
                opted.assertAllowed("hook");
                opted.assertAllowed("hook-mode");
                RunResult ran = gitLogOnATerminal(suite, id, bare);
                assertTrue(ran.stdout().contains("first-commit"), ran::toString);
                assertTrue(Files.exists(pagerRan), "control: the planted pager did not run: " + ran);
            }));
            tests.add(Named.test(id, "a plain folder of projects granted writable: a sub-folder's existing .vscode,"
                    + " .envrc and .mcp.json are read-only (EROFS) and their folder cannot be renamed away (EBUSY);"
                    + " control: a sibling file is writable inside and the user appends on the host", () -> {
                Path projects = suite.ownedDir(id, suite.workDir(id, "deep-names").resolve("projects"), "rwxr-xr-x");
                Path app = suite.ownedDir(id, suite.ownedDir(id, projects.resolve("clients"), "rwxr-xr-x")
                        .resolve("app"), "rwxr-xr-x");
                suite.ownedDir(id, app.resolve(".vscode"), "rwxr-xr-x");
                suite.ownedFile(id, app.resolve(".vscode/tasks.json"), "{}\n");
                suite.ownedFile(id, app.resolve(".envrc"), "# direnv\n");
                suite.ownedFile(id, app.resolve(".mcp.json"), "{}\n");
                suite.ownedFile(id, app.resolve("main.c"), "int main(void) { return 0; }\n");
                RunResult r = suite.launch(id, "deep-names").grant(projects, "rw").probe(Steps.of()
                        .add("tasks", "append", app.resolve(".vscode/tasks.json"))
                        .add("envrc", "append", app.resolve(".envrc"))
                        .add("mcp-json", "append", app.resolve(".mcp.json"))
                        .add("vscode-rename", "rename", app.resolve(".vscode"), app.resolve("vscode.old"))
                        .add("app-rename", "rename", app, projects.resolve("clients/app.old"))
                        .add("sibling", "append", app.resolve("main.c"))).run();
                r.assertProbeCompleted(List.of("tasks", "envrc", "mcp-json", "vscode-rename", "app-rename", "sibling"));
                r.assertDenied("tasks", "EROFS");
                r.assertDenied("envrc", "EROFS");
                r.assertDenied("mcp-json", "EROFS");
                r.assertDenied("vscode-rename", "EBUSY");
                r.assertDenied("app-rename", "EBUSY");
                r.assertAllowed("sibling");
                suite.controlAsLauncher(id, Steps.of().add("tasks", "append", app.resolve(".vscode/tasks.json")))
                        .assertAllowed("tasks");
            }));
            tests.add(Named.test(id, "a protected file with another hard link in the grant is refused (125, one line):"
                    + " the read-only mount pins the name, not the file; control: opted in, the server changes"
                    + " .vscode/tasks.json through the other link, and without the link the grant launches", () -> {
                Path projects = suite.ownedDir(id, suite.workDir(id, "hard-link").resolve("projects"), "rwxr-xr-x");
                Path app = suite.ownedDir(id, projects.resolve("app"), "rwxr-xr-x");
                suite.ownedDir(id, app.resolve(".vscode"), "rwxr-xr-x");
                Path tasks = suite.ownedFile(id, app.resolve(".vscode/tasks.json"), "{}\n");
                Path other = app.resolve("notes.txt");
                try {
                    Files.createLink(other, tasks);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                RunResult refused = suite.launch(id, "hard-link").grant(projects, "rw").server("/bin/true").run()
                        .assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains(tasks + " has another hard link"), refused::toString);
                RunResult opted = suite.launch(id, "hard-link-unprotected").grant(projects, "rw,unprotected")
                        .probe(Steps.of().add("tasks", "append", tasks).add("other", "append", other)).run();
                opted.assertDenied("tasks", "EROFS");
                opted.assertAllowed("other");
                delete(other);
                suite.launch(id, "hard-link-removed").grant(projects, "rw").server("/bin/true").run().assertExit(0);
            }));
            tests.add(Named.test(id, "a symbolic link in a protected folder to a file of the writable grant is refused"
                    + " (125, one line); control: opted in, the server writes .vscode/tasks.json through the link", () -> {
                Path projects = suite.ownedDir(id, suite.workDir(id, "inner-link").resolve("projects"), "rwxr-xr-x");
                Path app = suite.ownedDir(id, projects.resolve("app"), "rwxr-xr-x");
                Path vscode = suite.ownedDir(id, app.resolve(".vscode"), "rwxr-xr-x");
                suite.ownedFile(id, app.resolve("notes.txt"), "{}\n");
                Path tasks = vscode.resolve("tasks.json");
                try {
                    Files.createSymbolicLink(tasks, Path.of("../notes.txt"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                RunResult refused = suite.launch(id, "inner-link").grant(projects, "rw").server("/bin/true").run()
                        .assertExit(125);
                assertEquals(1, refused.stderr().lines().count(), refused::toString);
                assertTrue(refused.stderr().contains(tasks + " is a symbolic link to ../notes.txt"), refused::toString);
                suite.launch(id, "inner-link-unprotected").grant(projects, "rw,unprotected")
                        .probe(Steps.of().add("through-link", "append", tasks)).run().assertAllowed("through-link");
            }));
            tests.add(Named.test(id, "the launching user's home granted writable: refused (125, one line)", () -> {
                RunResult r = suite.launch(id, "home-rw").grant(id.home(), "rw").server("/bin/true").run().assertExit(125);
                assertEquals(1, r.stderr().lines().count(), r::toString);
                assertTrue(r.stderr().contains(id.root() ? "system directory /root" : "is the home " + id.home()), r::toString);
            }));
            if (!id.root()) {
                tests.add(Named.test(id, "control: the home opted in with :rw,unprotected keeps existing startup files"
                        + " read-only, and the server can create an absent one (what the refusal is about)", () -> {
                    Path bashrc = id.home().resolve(".bashrc");
                    if (!Files.exists(bashrc)) {
                        suite.ownedFile(id, bashrc, "# planted by the mcp-contain escape suite\n");
                        suite.onCleanup(() -> delete(bashrc));
                    }
                    Path absent = id.home().resolve(".zlogout");
                    assertFalse(Files.exists(absent), absent + " exists already: cannot show the control");
                    suite.onCleanup(() -> delete(absent));
                    RunResult r = suite.launch(id, "home-unprotected").grant(id.home(), "rw,unprotected").probe(Steps.of()
                            .add("bashrc", "append", bashrc)
                            .add("absent", "create", absent)).run();
                    r.assertDenied("bashrc", "EROFS");
                    r.assertAllowed("absent");
                }));
            }
            if (!id.root()) {
                // Red team variants: places in the home whose code runs on the user's next python, node or
                // desktop launch, which no name listed before covered.
                for (String[] place : List.of(
                        new String[] {".local/lib/python3.11/site-packages", ".local/lib", "usercustomize.py"},
                        new String[] {".local/share/applications", ".local/share/applications", "firefox.desktop"},
                        new String[] {"node_modules", "node_modules", "index.js"})) {
                    tests.add(Named.test(id, "~/" + place[0] + " granted writable: refused (125, one line, naming ~/"
                            + place[1] + "); control: opted in with :rw,unprotected the server writes " + place[2], () -> {
                        Path dir = id.home().resolve(place[0]);
                        // The first folder this test makes, if any: only that (and below) is removed again.
                        Path first = null;
                        for (Path p = dir; !p.equals(id.home()); p = p.getParent()) {
                            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                                first = p;
                            }
                        }
                        Files.createDirectories(dir);
                        if (first != null) {
                            for (Path p = dir; p.startsWith(first); p = p.getParent()) {
                                EscapeSuite.chown(p, id.user());
                            }
                            Path made = first;
                            suite.onCleanup(() -> EscapeSuite.deleteTree(made));
                        }
                        RunResult r = suite.launch(id, "home-code-rw").grant(dir, "rw").server("/bin/true").run().assertExit(125);
                        assertEquals(1, r.stderr().lines().count(), r::toString);
                        assertTrue(r.stderr().contains(" lies in " + id.home().resolve(place[1]) + " ("), r::toString);
                        Path planted = dir.resolve(place[2]);
                        suite.onCleanup(() -> delete(planted));
                        suite.launch(id, "home-code-unprotected").grant(dir, "rw,unprotected")
                                .probe(Steps.of().add("plant", "create", planted)).run().assertAllowed("plant");
                    }));
                }
            }
            return Named.group(id, tests);
        });
    }

    /**
     * sh -c SCRIPT as ID's launching user, with its own home, a committer for git, PAGER=cat and no GIT_PAGER (the
     * suite's environment is clean).
     */
    private static RunResult gitAsUser(EscapeSuite suite, Identity id, String script) {
        List<String> command = new ArrayList<>(id.launchAs());
        command.addAll(List.of("sh", "-c", script + " </dev/null"));
        return suite.exec("git as " + id.user().name(), command, Map.of("HOME", id.home().toString(), "PAGER", "cat",
                "GIT_AUTHOR_NAME", "escape suite", "GIT_AUTHOR_EMAIL", "suite@invalid",
                "GIT_COMMITTER_NAME", "escape suite", "GIT_COMMITTER_EMAIL", "suite@invalid"), EscapeSuite.DEFAULT_TIMEOUT);
    }

    /**
     * 'git -C BARE log' as ID's launching user with a terminal as stdout (script(1)), as from a shell: git starts
     * a pager only on a terminal, and BARE/config's core.pager wins over the user's PAGER (GIT_PAGER is unset).
     */
    private static RunResult gitLogOnATerminal(EscapeSuite suite, Identity id, Path bare) {
        RunResult log = gitAsUser(suite, id, "script -qec \"git -C '" + bare + "' log --oneline\" /dev/null");
        assertEquals(0, log.exitCode(), () -> "git log did not run: " + log);
        return log;
    }

    /**
     * Red team: a writable grant holding another name (a hard link) of a protected file outside it, here the user's
     * ~/.xsessionrc. The protected name is pinned only where it lies in a grant, so the grant's own name for the same
     * inode stayed writable and the server's lines landed in the start-up file (reproduced by hand with ~/.profile,
     * linked from ~/docs/notes.txt by a dotfile manager). Now the grant's walk compares every file with more than
     * one link with the protected files of the homes (and /etc's secrets) by device and inode: refused (125) unless
     * ,unprotected. Control: the same folder with a plain file of that name is written.
     */
    @TestFactory
    Stream<DynamicNode> hardLinkToAProtectedFileOutsideTheGrant() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().filter(id -> !id.root()).map(id -> Named.test(id,
                "a folder granted writable holding a hard link to ~/.xsessionrc: refused (125), pinned EROFS with ,unprotected; control: a plain file", () -> {
            Path protectedFile = id.home().resolve(".xsessionrc");
            assertFalse(Files.exists(protectedFile), protectedFile + " exists already");
            suite.ownedFile(id, protectedFile, "# the user's\n");
            suite.onCleanup(() -> delete(protectedFile));
            Path docs = suite.ownedDir(id, suite.workDir(id, "hardlink-out").resolve("docs"), "rwxr-xr-x");
            Path notes = docs.resolve("notes.txt");
            Files.createLink(notes, protectedFile);
            RunResult r = suite.launch(id, "hardlink-out").grant(docs, "rw").probe(Steps.of().add("write", "append", notes)).run();
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains(notes + " is another name (a hard link) of " + protectedFile), r::toString);
            // Opted in, the grant is accepted and that name is pinned read-only like the file it names.
            RunResult opted = suite.launch(id, "hardlink-out-opt").grant(docs, "rw,unprotected")
                    .probe(Steps.of().add("write", "append", notes)).run();
            opted.assertDenied("write", "EROFS");
            assertEquals("# the user's\n", Files.readString(protectedFile));
            Files.delete(notes);
            suite.ownedFile(id, notes, "plain\n");
            suite.launch(id, "hardlink-out-ctl").grant(docs, "rw").probe(Steps.of().add("write", "append", notes)).run()
                    .assertAllowed("write");
        }));
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
