package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, class 3, the part no mount can do: a server with a writable grant must not create a name git, a shell or
 * an editor would later trust (.git, HEAD, .envrc, .mcp.json, .npmrc, ...) in a NEW sub-folder, where there was
 * nothing to pin read-only. The helper's create guard carries out every call that names a new entry from the path
 * it checked. Every way of naming an entry is tried (mkdir, open with and without O_EXCL, rename, hard link,
 * symbolic link, creation through a dangling link, case and trailing-dot spellings) and the race a
 * check-then-continue guard would lose (another thread rewriting the path). Controls: the same steps unconfined by
 * the server's uid, and contained with the grant given ,unprotected (the protection removed, nothing else): both
 * create every name. Ordinary files, links and renames in the same folder keep working.
 */
class CreateGuardIT {

    private record Mode(String key, String profile, String isolation) {}

    private static final List<Mode> MODES = List.of(
            new Mode("full/strict", "strict", "full"),
            new Mode("full/default", "default", "full"),
            new Mode("landlock", "strict", "landlock"));

    /** Labels of the attempts that name a protected entry. */
    private static final List<String> PROTECTED = List.of("mkdir-git", "create-head", "write-head", "mkdir-git-case",
            "rename-envrc", "link-mcp-json", "symlink-npmrc", "write-through-dangling", "mkdir-vscode",
            "mkdir-vscode-long-s", "mkdir-git-dotless-i", "mkdir-objects-beside-head", "symlink-refs-beside-head");

    private static Steps steps(Path grant) {
        Path sub = grant.resolve("sub");
        Steps steps = Steps.of()
                .add("mkdir-sub", "mkdir", sub)
                .add("mkdir-git", "mkdir", sub.resolve(".git"))
                .add("create-head", "create", sub.resolve("HEAD"))
                .add("write-head", "write", sub.resolve("HEAD"))
                .add("mkdir-git-case", "mkdir", sub.resolve(".GIT."))
                .add("write-plain", "write", sub.resolve("plain"))
                .add("write-to-rename", "write", sub.resolve("to-rename"))
                .add("rename-envrc", "rename", sub.resolve("to-rename"), sub.resolve(".envrc"))
                .add("link-mcp-json", "link", sub.resolve("plain"), sub.resolve(".mcp.json"))
                .add("symlink-npmrc", "symlink", "/nowhere", sub.resolve(".npmrc"))
                .add("symlink-dangling", "symlink", ".idea", sub.resolve("dangling"))
                .add("write-through-dangling", "write", sub.resolve("dangling"))
                .add("mkdir-vscode", "mkdir", sub.resolve(".vscode"))
                // ".vſcode" is ".vscode" in a casefolded directory (U+017F folds to s), ".gıt" is ".git" to an
                // exFAT/NTFS upcase table: refused everywhere, since the guard cannot tell such a folder apart.
                .add("mkdir-vscode-long-s", "mkdir-hex", sub, hex(".v\u017fcode"))
                .add("mkdir-git-dotless-i", "mkdir-hex", sub, hex(".g\u0131t"))
                .add("symlink-plain", "symlink", "plain", sub.resolve("to-plain"))
                .add("append-through-link", "append", sub.resolve("to-plain"))
                .add("link-plain", "link", sub.resolve("plain"), sub.resolve("plain2"))
                .add("rename-plain", "rename", sub.resolve("plain2"), sub.resolve("plain3"))
                .add("create-excl-again", "create", sub.resolve("plain3"))
                .add("mkdir-node-modules", "mkdir", sub.resolve("node_modules"))
                .add("mkdir-bin", "mkdir", sub.resolve("bin"))
                .add("write-devfd", "write-devfd", sub.resolve("via-devfd"))
                .add("fifo-writers", "fifo-writers", sub, "6")
                .add("read-creat-plain", "read-creat", sub.resolve("plain3"))
                .add("read-creat-proc", "read-creat", "/proc/1/cmdline")
                // with-head/HEAD exists (writableDir plants it; a file named HEAD alone is not a repository and not
                // pinned): objects/ and refs/ beside it would make the folder a bare repository git trusts.
                .add("mkdir-objects-beside-head", "mkdir", grant.resolve("with-head/objects"))
                .add("symlink-refs-beside-head", "symlink", ".", grant.resolve("with-head/refs"))
                .add("mkdir-objects-elsewhere", "mkdir", sub.resolve("objects"))
                .add("race", "race-create", sub, ".git", "3000");
        // Modes: the umask applies, except in a folder with a default ACL, where the kernel applies the ACL instead.
        steps.add("create-umask", "create-umask", grant.resolve("umask-plain"));
        steps.add("create-umask-acl", "create-umask", grant.resolve("acl/f"));
        if (Files.isDirectory(grant.resolve("almost"))) {
            // almost/ has HEAD (not a ref), objects/ and refs/: a rewrite of HEAD would make it a git directory, so it
            // is pinned read-only as a whole, like one (landlock isolation cannot pin: it refuses such a grant).
            steps.add("write-almost-head", "write", grant.resolve("almost/HEAD"));
        }
        return steps;
    }

    private static String hex(String name) {
        return java.util.HexFormat.of().formatHex(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A folder the server's uid can write without idmaps (landlock isolation needs that). */
    private static Path writableDir(EscapeSuite suite, Identity id, String purpose, boolean almostRepository) {
        Path work = suite.workDir(id, purpose);
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
        Path withHead = suite.ownedDir(id, grant.resolve("with-head"), "rwxrwxrwx");
        EscapeSuite.chmod(suite.ownedFile(id, withHead.resolve("HEAD"), "ref: refs/heads/main\n"), "rw-rw-rw-");
        // A folder with a default ACL, set on the host by the launching user (setfacl -d -m u::rwx,g::rwx,o::rwx).
        Path acl = suite.ownedDir(id, grant.resolve("acl"), "rwxrwxrwx");
        suite.controlAsLauncher(id, Steps.of().add("acl", "set-default-acl", acl)).assertAllowed("acl");
        if (almostRepository) {
            Path almost = suite.ownedDir(id, grant.resolve("almost"), "rwxrwxrwx");
            suite.ownedDir(id, almost.resolve("objects"), "rwxrwxrwx");
            suite.ownedDir(id, almost.resolve("refs"), "rwxrwxrwx");
            EscapeSuite.chmod(suite.ownedFile(id, almost.resolve("HEAD"), "not a ref\n"), "rw-rw-rw-");
        }
        return grant;
    }

    /** Entries of DIR whose name, folded as the guard folds it, is one of the guarded names tried here. */
    private static List<String> guardedNamesOnHost(Path dir) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.forEach(p -> {
                String folded = p.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[. ]+$", "");
                if (List.of(".git", "head", ".envrc", ".mcp.json", ".npmrc", ".vscode", ".idea").contains(folded)) {
                    found.add(p.getFileName().toString());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static void assertOrdinaryWork(RunResult r) {
        r.assertAllowed("mkdir-sub");
        r.assertAllowed("write-plain");
        r.assertAllowed("write-to-rename");
        r.assertAllowed("symlink-dangling");
        r.assertAllowed("symlink-plain");
        r.assertAllowed("append-through-link");
        r.assertAllowed("link-plain");
        r.assertAllowed("rename-plain");
        r.assertDenied("create-excl-again", "EEXIST");
        r.assertAllowed("mkdir-node-modules"); // what npm install makes in a project: not a home's
        r.assertAllowed("mkdir-bin");
        r.assertAllowed("write-devfd");
        r.assertAllowed("fifo-writers");
        r.assertValue("create-umask", "mode=0644");
        r.assertValue("create-umask-acl", "mode=0666"); // the ACL's rw for all, not the umask's 0644
        r.assertAllowed("read-creat-plain");
        r.assertAllowed("mkdir-objects-elsewhere");
    }

    @TestFactory
    Stream<DynamicNode> protectedNamesCannotBeCreated() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> groups = new ArrayList<>();
            Lazy<Path> controlDir = Lazy.of(() -> {
                Path dir = writableDir(suite, id, "guard-control", true);
                EscapeSuite.chown(dir, id.serverUser());
                return dir;
            });
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, steps(controlDir.get())));
            groups.add(Named.test(id, "control: unconfined, the server's uid creates every name, and wins the race", () -> {
                RunResult r = control.get();
                assertOrdinaryWork(r);
                for (String label : PROTECTED) {
                    r.assertAllowed(label);
                }
                r.assertAllowed("race");
                r.assertAllowed("read-creat-proc");
                r.assertAllowed("write-almost-head");
            }));
            for (Mode mode : MODES) {
                boolean landlock = mode.isolation().equals("landlock");
                Lazy<Path> dir = Lazy.of(() -> writableDir(suite, id, "guard-" + mode.key().replace('/', '-'), !landlock));
                Lazy<Path> openDir = Lazy.of(() -> writableDir(suite, id, "guard-open-" + mode.key().replace('/', '-'),
                        false));
                Lazy<RunResult> contained = Lazy.of(() -> launch(suite, id, mode, "guard").grant(dir.get(), "rw")
                        .probe(steps(dir.get())).run());
                Lazy<RunResult> unprotected = Lazy.of(() -> launch(suite, id, mode, "guard-unprotected")
                        .grant(openDir.get(), "rw,unprotected").probe(steps(openDir.get())).run());
                List<DynamicNode> tests = new ArrayList<>();
                tests.add(Named.test(id, mode.key() + ": the probe made every attempt", () ->
                        contained.get().assertProbeCompleted(steps(dir.get()).labels())));
                tests.add(Named.test(id, mode.key() + ": ordinary files, links and renames in the new folder work", () ->
                        assertOrdinaryWork(contained.get())));
                for (String label : PROTECTED) {
                    tests.add(Named.test(id, mode.key() + ": " + label + " -> EPERM", () ->
                            contained.get().assertDenied(label, "EPERM")));
                }
                // The guard reads /proc to read the caller's memory (in landlock isolation the server itself may read
                // only its own few entries there): an O_CREAT open it carries out must not hand that over, nor
                // resolve /proc/self as the guard. /dev/fd/N (write-devfd, in the ordinary work) names the caller's.
                if (landlock) {
                    Lazy<RunResult> refused = Lazy.of(() -> {
                        Path almostDir = writableDir(suite, id, "guard-almost-" + mode.key().replace('/', '-'), true);
                        return launch(suite, id, mode, "guard-almost").grant(almostDir, "rw").probe(steps(almostDir)).run();
                    });
                    tests.add(Named.test(id, mode.key() + ": a grant holding a folder with HEAD (not a ref), objects and refs is refused (it cannot be pinned)", () -> {
                        RunResult r = refused.get();
                        r.assertExit(125);
                        assertTrue(r.stderr().contains("almost read-only inside the writable"), r::toString);
                    }));
                } else {
                    tests.add(Named.test(id, mode.key() + ": a folder with HEAD (not a ref), objects and refs is read-only: HEAD cannot be rewritten into a ref", () ->
                            contained.get().assertDenied("write-almost-head", "EROFS")));
                }
                tests.add(Named.test(id, mode.key() + ": an O_CREAT open of /proc/1/cmdline is not read for the server (EACCES)", () ->
                        contained.get().assertDenied("read-creat-proc", "EACCES")));
                tests.add(Named.test(id, mode.key() + ": a thread rewriting the path during mkdir never gets .git made (EPERM, race ran)", () ->
                        contained.get().assertDenied("race", "EPERM")));
                tests.add(Named.test(id, mode.key() + ": on the host, no guarded name in the new folder; each refusal said on stderr", () -> {
                    RunResult r = contained.get();
                    assertEquals(List.of(), guardedNamesOnHost(dir.get().resolve("sub")), r::toString);
                    assertTrue(r.stderr().contains("refused to let the server create '.git'"), r::toString);
                }));
                tests.add(Named.test(id, mode.key() + ": control: the same launch with the grant ,unprotected creates every name", () -> {
                    RunResult r = unprotected.get();
                    assertOrdinaryWork(r);
                    for (String label : PROTECTED) {
                        r.assertAllowed(label);
                    }
                    r.assertAllowed("race");
                    assertTrue(guardedNamesOnHost(openDir.get().resolve("sub")).contains(".git"), r::toString);
                    // Without the guard the server reads /proc/1/cmdline itself where its Landlock rules allow it.
                    if (mode.isolation().equals("landlock")) {
                        r.assertDenied("read-creat-proc", "EACCES");
                    } else {
                        r.assertAllowed("read-creat-proc");
                    }
                }));
                if (!mode.isolation().equals("landlock")) {
                    // The server's own /tmp is its own mount: git init there harms nobody.
                    String tmp = "/tmp/guard-" + EscapeSuite.randomHex(4);
                    Lazy<RunResult> own = Lazy.of(() -> launch(suite, id, mode, "guard-own").grant(dir.get(), "rw")
                            .probe(Steps.of().add("mkdir-tmp", "mkdir", tmp).add("tmp-git", "mkdir", tmp + "/.git")
                                    .add("tmp-head", "write", tmp + "/.git/HEAD")).run());
                    tests.add(Named.test(id, mode.key() + ": in its own /tmp the server may create .git and HEAD", () -> {
                        own.get().assertAllowed("tmp-git");
                        own.get().assertAllowed("tmp-head");
                    }));
                }
                groups.add(DynamicContainer.dynamicContainer(mode.key(), tests));
            }
            return Named.group(id, groups);
        });
    }

    /**
     * Red team: in landlock isolation a grant is not a mount of its own, and the guard exempts an ,unprotected grant
     * only where it is the root of a host mount. A protected grant INSIDE such an ,unprotected grant (a second disk
     * or a tmpfs at /data granted ,unprotected, /data/proj granted plainly) was on the very same mount, so the guard
     * let .git and .vscode through in /data/proj. The exemption is now dropped for a path that holds a protected
     * grant. Control: the same launch with the inner grant ,unprotected too creates both.
     */
    @TestFactory
    Stream<DynamicNode> protectedGrantInsideAnUnprotectedMountRoot() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            // Each launch gets a tmpfs of its own: a .git left by one must not refuse the other's grant.
            Lazy<Path> outer = Lazy.of(() -> mountRoot(suite, id, "guard-nested-mount"));
            Lazy<Path> openOuter = Lazy.of(() -> mountRoot(suite, id, "guard-nested-mount-open"));
            Mode landlock = MODES.get(2);
            Lazy<RunResult> contained = Lazy.of(() -> launch(suite, id, landlock, "guard-nested")
                    .grant(outer.get(), "rw,unprotected").grant(outer.get().resolve("proj"), "rw")
                    .probe(Steps.of()
                            .add("mkdir-git", "mkdir", outer.get().resolve("proj/.git"))
                            .add("mkdir-vscode", "mkdir", outer.get().resolve("proj/.vscode"))
                            .add("mkdir-plain", "mkdir", outer.get().resolve("proj/plain"))).run());
            Lazy<RunResult> control = Lazy.of(() -> launch(suite, id, landlock, "guard-nested-open")
                    .grant(openOuter.get(), "rw,unprotected").grant(openOuter.get().resolve("proj"), "rw,unprotected")
                    .probe(Steps.of()
                            .add("mkdir-git", "mkdir", openOuter.get().resolve("proj/.git"))
                            .add("mkdir-vscode", "mkdir", openOuter.get().resolve("proj/.vscode"))).run());
            return Named.group(id, List.of(
                    Named.test(id, "landlock: .git and .vscode in a protected grant inside an ,unprotected mount root -> EPERM", () -> {
                        RunResult r = contained.get();
                        r.assertAllowed("mkdir-plain");
                        r.assertDenied("mkdir-git", "EPERM");
                        r.assertDenied("mkdir-vscode", "EPERM");
                        assertEquals(List.of(), guardedNamesOnHost(outer.get().resolve("proj")), r::toString);
                    }),
                    Named.test(id, "landlock: control: the inner grant ,unprotected too, both are created", () -> {
                        RunResult r = control.get();
                        r.assertAllowed("mkdir-git");
                        r.assertAllowed("mkdir-vscode");
                    })));
        });
    }

    /** A tmpfs mounted (until the suite ends) at a new folder, with proj/ in it, both writable by the server's uid. */
    private static Path mountRoot(EscapeSuite suite, Identity id, String purpose) {
        EscapeSuite.requireThat(suite.suiteIsRoot(), "needs a root suite (it mounts a tmpfs as the outer grant)");
        Path work = suite.workDir(id, purpose);
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        Path mnt = suite.ownedDir(id, work.resolve("vol"), "rwxrwxrwx");
        EscapeSuite.hostCommand("mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "it-guard-nested", mnt.toString());
        suite.onCleanup(() -> EscapeSuite.hostCommand("umount", "-l", mnt.toString()));
        suite.ownedDir(id, mnt.resolve("proj"), "rwxrwxrwx");
        return mnt;
    }

    private static Launch launch(EscapeSuite suite, Identity id, Mode mode, String purpose) {
        Launch launch = suite.launch(id, purpose + " " + mode.key()).profile(mode.profile());
        if (mode.isolation().equals("landlock")) {
            launch.option("--isolation", "landlock").landlockAccepting();
        }
        return launch;
    }
}
