package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantGuardTest {

    @TempDir
    Path dir;

    private Path home;
    private GrantGuard guard;

    @BeforeEach
    void setUp() throws IOException {
        dir = dir.toRealPath();
        home = Files.createDirectories(dir.resolve("home/alice"));
        guard = new GrantGuard(List.of(home), 50);
    }

    private String refused(Path grant) {
        return assertThrows(PolicyException.class, () -> guard.check(grant, false, "--grant 'x:rw'", "x:rw,unprotected"))
                .getMessage();
    }

    private GrantGuard.Pins allowed(Path grant, boolean unprotected) {
        return guard.check(grant, unprotected, "--grant 'x:rw'", "x:rw,unprotected");
    }

    @Test
    void aHomeOrAFolderHoldingOneIsRefusedUnlessUnprotected() throws IOException {
        Files.writeString(home.resolve(".bashrc"), "");
        Files.createDirectories(home.resolve(".ssh"));
        assertTrue(refused(home).contains("is the home " + home), refused(home));
        assertTrue(refused(dir.resolve("home")).contains("holds the home " + home));
        assertTrue(refused(home).contains("x:rw,unprotected"));
        GrantGuard.Pins pins = allowed(home, true);
        assertTrue(pins.readOnly().containsAll(List.of(home.resolve(".bashrc"), home.resolve(".ssh"))), pins.toString());
    }

    @Test
    void insideAProtectedHomeNameIsRefused() throws IOException {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Path git = Files.createDirectories(home.resolve(".config/git"));
        assertTrue(refused(ssh).contains("lies in " + ssh), refused(ssh));
        assertTrue(refused(git).contains("lies in " + git));
    }

    @Test
    void aHomeSubfolderHoldingAnAbsentProtectedNameIsRefusedAndExistingOnesArePinned() throws IOException {
        Path config = Files.createDirectories(home.resolve(".config"));
        String message = refused(config);
        assertTrue(message.contains("could create " + home.resolve(".config/")), message);
        GrantGuard.Pins pins = allowed(config, true);
        assertEquals(List.of(), pins.readOnly());
        // control: an ordinary folder in the home holds no protected name
        assertEquals(List.of(), allowed(Files.createDirectories(home.resolve("Downloads")), false).readOnly());
    }

    @Test
    void everyGitShapeIsRefusedUnlessUnprotected() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve(".git/hooks"));
        Path sub = Files.createDirectories(repo.resolve("src/sub"));
        assertTrue(refused(repo).contains("is the git work tree " + repo), refused(repo));
        assertTrue(refused(sub).contains("lies in the git work tree " + repo), refused(sub));
        assertTrue(refused(repo.resolve(".git/hooks")).contains("inside the git control directory " + repo.resolve(".git")));
        Path projects = Files.createDirectories(dir.resolve("projects"));
        Files.createDirectories(projects.resolve("one/.git"));
        assertTrue(refused(projects).contains("holds the git work tree " + projects.resolve("one")), refused(projects));
        Path worktree = Files.createDirectories(dir.resolve("wt"));
        Files.writeString(worktree.resolve(".git"), "gitdir: /elsewhere\n");
        assertTrue(refused(worktree).contains("is the git work tree " + worktree), refused(worktree));
    }

    @Test
    void unprotectedPinsEveryControlDirectoryAndGitfileAndTheFoldersHoldingThem() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Path nested = Files.createDirectories(repo.resolve("a/b/nested"));
        Files.createDirectories(nested.resolve(".git"));
        Files.createDirectories(nested.resolve(".vscode"));
        Path module = Files.createDirectories(repo.resolve("a/module"));
        Files.writeString(module.resolve(".git"), "gitdir: ../../.git/modules/m\n");
        GrantGuard.Pins pins = allowed(repo, true);
        assertTrue(pins.readOnly().containsAll(List.of(repo.resolve(".git"), nested.resolve(".git"),
                nested.resolve(".vscode"), module.resolve(".git"))), pins.toString());
        assertTrue(pins.pinnedDirs().containsAll(List.of(repo.resolve("a"), repo.resolve("a/b"), nested, module)),
                pins.toString());
    }

    /** A bare repository as `git init --bare` leaves it (HEAD, config, objects, refs, hooks). */
    private Path bareRepo(Path at) throws IOException {
        Files.createDirectories(at.resolve("objects/info"));
        Files.createDirectories(at.resolve("refs/heads"));
        Files.createDirectories(at.resolve("hooks"));
        Files.writeString(at.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(at.resolve("config"), "[core]\n\tbare = true\n");
        return at;
    }

    @Test
    void gitDirectoriesAreRecognisedAsGitDoes() throws IOException {
        Path bare = bareRepo(dir.resolve("project.git"));
        assertTrue(GrantGuard.isGitDirectory(bare));
        // HEAD: "ref:" with blanks, a detached object id (sha1 or longer), a symbolic link to refs/...
        Files.writeString(bare.resolve("HEAD"), "ref:\t refs/heads/x\n");
        assertTrue(GrantGuard.isGitDirectory(bare));
        Files.writeString(bare.resolve("HEAD"), "0123456789abcdef0123456789ABCDEF01234567\n");
        assertTrue(GrantGuard.isGitDirectory(bare));
        Files.delete(bare.resolve("HEAD"));
        Files.createSymbolicLink(bare.resolve("HEAD"), Path.of("refs/heads/main"));
        assertTrue(GrantGuard.isGitDirectory(bare), "a HEAD link to refs/... counts even when it dangles");
        // not git directories: HEAD invalid, or objects or refs missing
        Files.delete(bare.resolve("HEAD"));
        Files.createSymbolicLink(bare.resolve("HEAD"), Path.of("../elsewhere"));
        assertFalse(GrantGuard.isGitDirectory(bare));
        Files.delete(bare.resolve("HEAD"));
        Files.writeString(bare.resolve("HEAD"), "0123456789abcdef not an id\n");
        assertFalse(GrantGuard.isGitDirectory(bare));
        Files.writeString(bare.resolve("HEAD"), "ref: heads/main\n");
        assertFalse(GrantGuard.isGitDirectory(bare));
        Path headDir = Files.createDirectories(dir.resolve("headdir"));
        Files.createDirectories(headDir.resolve("HEAD"));
        Files.createDirectories(headDir.resolve("objects"));
        Files.createDirectories(headDir.resolve("refs"));
        assertFalse(GrantGuard.isGitDirectory(headDir), "HEAD a folder");
        Path notes = Files.createDirectories(dir.resolve("notes"));
        Files.writeString(notes.resolve("HEAD"), "ref: refs/heads/main\n");
        assertFalse(GrantGuard.isGitDirectory(notes), "a file named HEAD alone is no repository");
        Files.createDirectories(notes.resolve("objects"));
        assertFalse(GrantGuard.isGitDirectory(notes), "no refs");
        Files.createDirectories(notes.resolve("refs"));
        assertTrue(GrantGuard.isGitDirectory(notes));
        // a worktree's administrative folder: HEAD and a commondir naming where objects and refs are
        Path common = bareRepo(dir.resolve("main.git"));
        Path admin = Files.createDirectories(common.resolve("worktrees/wt"));
        Files.writeString(admin.resolve("HEAD"), "ref: refs/heads/wt\n");
        assertFalse(GrantGuard.isGitDirectory(admin), "without commondir");
        Files.writeString(admin.resolve("commondir"), "../..\n");
        assertTrue(GrantGuard.isGitDirectory(admin));
        Files.writeString(admin.resolve("commondir"), common + "\r\n");
        assertTrue(GrantGuard.isGitDirectory(admin), "absolute commondir");
        Files.writeString(admin.resolve("commondir"), "../../nowhere\n");
        assertFalse(GrantGuard.isGitDirectory(admin));
    }

    @Test
    void aFolderAServerCouldTurnIntoAGitDirectoryByWritingAFileIsOne() throws IOException {
        // HEAD invalid today, objects and refs there: the server rewrites HEAD and git runs the folder's config.
        Path almost = Files.createDirectories(dir.resolve("almost"));
        Files.writeString(almost.resolve("HEAD"), "not a ref\n");
        assertFalse(GrantGuard.couldBecomeGitDirectory(almost), "a file named HEAD alone");
        Files.createDirectories(almost.resolve("objects"));
        Files.createDirectories(almost.resolve("refs"));
        assertFalse(GrantGuard.isGitDirectory(almost));
        assertTrue(GrantGuard.couldBecomeGitDirectory(almost));
        // HEAD and a commondir naming nothing useful today: rewritten, it names a folder with objects and refs.
        Path admin = Files.createDirectories(dir.resolve("admin"));
        Files.writeString(admin.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(admin.resolve("commondir"), "../nowhere\n");
        assertFalse(GrantGuard.isGitDirectory(admin));
        assertTrue(GrantGuard.couldBecomeGitDirectory(admin));
        // HEAD a symbolic link elsewhere: its target cannot be rewritten without creating HEAD anew (refused).
        Path linked = Files.createDirectories(dir.resolve("linked"));
        Files.createSymbolicLink(linked.resolve("HEAD"), Path.of("../elsewhere"));
        Files.createDirectories(linked.resolve("objects"));
        Files.createDirectories(linked.resolve("refs"));
        assertFalse(GrantGuard.couldBecomeGitDirectory(linked));
    }

    @Test
    void aBareRepositoryHeldByAGrantIsPinnedAsAWholeAndAGrantInOrOfOneIsRefused() throws IOException {
        Path repos = Files.createDirectories(dir.resolve("repos"));
        Path bare = bareRepo(repos.resolve("team/project.git"));
        Path mirror = bareRepo(repos.resolve("mirror"));
        Files.writeString(repos.resolve("team/notes.txt"), "");
        GrantGuard.Pins pins = allowed(repos, false);
        assertEquals(List.of(repos.resolve("mirror"), bare), pins.readOnly().stream().sorted().toList(), pins.toString());
        assertTrue(pins.pinnedDirs().contains(repos.resolve("team")), pins.toString());
        assertTrue(allowed(repos, true).readOnly().containsAll(List.of(bare, mirror)), "unprotected still pins it");

        String is = refused(bare);
        assertTrue(is.contains(bare + " is the git directory " + bare + " (a bare repository"), is);
        assertTrue(is.contains("x:rw,unprotected") && !is.contains("\n"), is);
        String inside = refused(bare.resolve("hooks"));
        assertTrue(inside.contains(bare.resolve("hooks") + " lies inside the git directory " + bare), inside);
        // opted in, the whole repository is writable: nothing in it is pinned
        assertEquals(List.of(), allowed(bare, true).readOnly());
        assertEquals(List.of(), allowed(bare.resolve("hooks"), true).readOnly());

        // control: a folder with a file named HEAD (no objects, no refs) is an ordinary folder
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(plain.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.createDirectories(plain.resolve("sub"));
        Files.writeString(plain.resolve("sub/HEAD"), "ref: refs/heads/main\n");
        assertEquals(List.of(), allowed(plain, false).readOnly());
        assertEquals(List.of(), allowed(plain.resolve("sub"), false).readOnly());
    }

    @Test
    void aBareRepositoryMayHardLinkItsObjects() throws IOException {
        Path holder = Files.createDirectories(dir.resolve("mirrors"));
        Path bare = bareRepo(holder.resolve("a.git"));
        Path objects = Files.createDirectories(bare.resolve("objects/ab"));
        Files.writeString(objects.resolve("cdef"), "blob");
        Files.createLink(holder.resolve("cdef-link"), objects.resolve("cdef"));
        assertEquals(List.of(bare), allowed(holder, false).readOnly());
        // control: a hard-linked hook is refused
        Files.writeString(bare.resolve("hooks/post-update"), "#!/bin/sh\n");
        Files.createLink(holder.resolve("hook-link"), bare.resolve("hooks/post-update"));
        assertTrue(refused(holder).contains(bare.resolve("hooks/post-update") + " has another hard link"), refused(holder));
    }

    @Test
    void aWorktreesAdministrativeFolderIsInsideTheControlDirectoryAndPinnedWithIt() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path repo = Files.createDirectories(work.resolve("main"));
        Path admin = Files.createDirectories(repo.resolve(".git/worktrees/feature"));
        Files.createDirectories(repo.resolve(".git/objects"));
        Files.createDirectories(repo.resolve(".git/refs"));
        Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(admin.resolve("HEAD"), "ref: refs/heads/feature\n");
        Files.writeString(admin.resolve("commondir"), "../..\n");
        Path worktree = Files.createDirectories(work.resolve("feature"));
        Files.writeString(admin.resolve("gitdir"), worktree.resolve(".git") + "\n");
        Files.writeString(worktree.resolve(".git"), "gitdir: " + admin + "\n");
        assertTrue(GrantGuard.isGitDirectory(admin));
        String message = refused(admin);
        assertTrue(message.contains(admin + " is the git directory " + admin), message);
        message = refused(admin.getParent());
        assertTrue(message.contains("inside the git control directory " + repo.resolve(".git")), message);
        // a grant holding both: the control directory (with the admin folder) and the worktree's gitfile are pinned
        GrantGuard.Pins pins = allowed(work, true);
        assertEquals(List.of(worktree.resolve(".git"), repo.resolve(".git")), pins.readOnly().stream().sorted().toList(),
                pins.toString());
    }

    @Test
    void aTreeTooLargeToSearchIsRefused() throws IOException {
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i < 60; i++) {
            Files.createDirectories(big.resolve("d" + i));
        }
        assertTrue(refused(big).contains("holds more than 50 folders"), refused(big));
        assertEquals(1, allowed(big, true).notices().size());
    }

    @Test
    void aPlainFolderIsAllowedAndItsExistingProjectNamesPinned() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(plain.resolve(".envrc"), "");
        assertEquals(List.of(plain.resolve(".envrc")), allowed(plain, false).readOnly());
    }

    @Test
    void projectNamesInPlainSubfoldersArePinnedAtAnyDepth() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("projects"));
        Path app = Files.createDirectories(plain.resolve("clients/app"));
        Files.createDirectories(app.resolve(".vscode"));
        Files.writeString(app.resolve(".vscode/tasks.json"), "{}");
        Files.writeString(app.resolve(".envrc"), "");
        Files.writeString(plain.resolve("clients/.mcp.json"), "{}");
        GrantGuard.Pins pins = allowed(plain, false);
        assertEquals(List.of(plain.resolve("clients/.mcp.json"), app.resolve(".envrc"), app.resolve(".vscode")),
                pins.readOnly().stream().sorted().toList(), pins.toString());
        // the folders in between become mount points, so the server cannot rename them away and make new ones
        assertTrue(pins.pinnedDirs().containsAll(List.of(plain.resolve("clients"), app)), pins.toString());
    }

    @Test
    void aProtectedFileWithAnotherHardLinkIsRefusedUnlessUnprotected() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("linked"));
        Path vscode = Files.createDirectories(plain.resolve("app/.vscode"));
        Files.writeString(vscode.resolve("tasks.json"), "{}");
        Files.createLink(plain.resolve("app/notes.txt"), vscode.resolve("tasks.json"));
        assertTrue(refused(plain).contains(vscode.resolve("tasks.json") + " has another hard link"), refused(plain));
        assertTrue(allowed(plain, true).readOnly().contains(vscode), "unprotected still pins it");
        Files.delete(plain.resolve("app/notes.txt"));
        assertEquals(List.of(vscode), allowed(plain, false).readOnly());
    }

    @Test
    void aSymbolicLinkInAProtectedFolderToTheWritableGrantIsRefused() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("symlinked"));
        Path vscode = Files.createDirectories(plain.resolve("app/.vscode"));
        Files.createSymbolicLink(vscode.resolve("tasks.json"), Path.of("../notes.txt"));
        assertTrue(refused(plain).contains(vscode.resolve("tasks.json") + " is a symbolic link to ../notes.txt"),
                refused(plain));
        Files.delete(vscode.resolve("tasks.json"));
        Files.createSymbolicLink(vscode.resolve("settings.json"), Path.of("local.json"));
        assertEquals(List.of(vscode), allowed(plain, false).readOnly(), "a link inside the folder itself is fine");
    }

    @Test
    void aProtectedFolderTooLargeToSearchForLinksIsRefusedNotPassed() throws IOException {
        Path project = Files.createDirectories(dir.resolve("work/app"));
        Path vscode = Files.createDirectories(project.resolve(".vscode"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(vscode.resolve("f" + i + ".json"), "{}");
        }
        Path grant = dir.resolve("work");
        assertTrue(allowed(grant, false).readOnly().contains(vscode), "control: searched whole, pinned");
        for (int i = 10; i < 60; i++) {
            Files.writeString(vscode.resolve("f" + i + ".json"), "{}");
        }
        String message = refused(grant);
        assertTrue(message.contains(vscode + " could not be searched whole for links"), message);
        assertTrue(allowed(grant, true).readOnly().contains(vscode), "unprotected opts in");
    }

    @Test
    void gitObjectsMayBeHardLinked() throws IOException {
        Path holder = Files.createDirectories(dir.resolve("clones"));
        Path objects = Files.createDirectories(holder.resolve("a/.git/objects/ab"));
        Files.writeString(objects.resolve("cdef"), "blob");
        Files.createLink(holder.resolve("cdef-link"), objects.resolve("cdef"));
        assertTrue(allowed(holder, true).readOnly().contains(holder.resolve("a/.git")));
        assertEquals(null, GrantGuard.fileWithOtherLinks(holder.resolve("a/.git"), 50));
    }

    @Test
    void homesComeFromPasswdAndNeverIncludeTheRoot() throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nsys:x:3:3::/:/bin/false\n"
                + "alice:x:1000:1000::" + home + ":/bin/bash\nghost:x:1001:1001::/nonexistent-mcp:/bin/sh\n");
        List<Path> homes = GrantGuard.hostHomes(home, passwd);
        assertTrue(homes.contains(home) && !homes.contains(Path.of("/")) && !homes.contains(Path.of("/nonexistent-mcp")),
                homes.toString());
        // an account from LDAP or systemd-homed: no passwd line, a folder of /home all the same
        Path bob = Files.createDirectories(dir.resolve("home/bob"));
        Files.createSymbolicLink(dir.resolve("home/link"), bob);
        List<Path> withDirectory = GrantGuard.hostHomes(home, passwd, dir.resolve("home"));
        assertTrue(withDirectory.contains(bob) && !withDirectory.contains(dir.resolve("home/link")), withDirectory.toString());
        assertTrue(new GrantGuard(withDirectory, 50).check(dir.resolve("home/bob"), true, "g", "g,unprotected").readOnly()
                .isEmpty());
        String refusedBob = assertThrows(PolicyException.class, () -> new GrantGuard(withDirectory, 50)
                .check(bob, false, "g", "g,unprotected")).getMessage();
        assertTrue(refusedBob.contains("is the home " + bob), refusedBob);
    }

    @Test
    void aGrantFileThatIsAnotherNameOfAProtectedFileOutsideIsRefusedOrPinned() throws IOException {
        Path profile = Files.writeString(home.resolve(".profile"), "# the user's\n");
        Path key = Files.writeString(Files.createDirectories(home.resolve(".ssh")).resolve("authorized_keys"), "k\n");
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Path notes = Files.createLink(docs.resolve("notes.txt"), profile);
        Files.createLink(docs.resolve("keys.txt"), key);
        String why = refused(docs);
        assertTrue(why.contains(notes + " is another name (a hard link) of " + profile)
                || why.contains(docs.resolve("keys.txt") + " is another name (a hard link) of " + key), why);
        GrantGuard.Pins opted = allowed(docs, true);
        assertTrue(opted.readOnly().contains(notes) && opted.readOnly().contains(docs.resolve("keys.txt")),
                opted::toString);
        // A granted file that is such a link, and the control: a file with links only inside the grant is fine.
        assertTrue(refused(notes).contains("is another name (a hard link) of " + profile));
        Files.delete(notes);
        Files.delete(docs.resolve("keys.txt"));
        Path plain = Files.writeString(docs.resolve("plain.txt"), "p\n");
        Files.createLink(docs.resolve("plain2.txt"), plain);
        assertTrue(allowed(docs, false).readOnly().isEmpty());
    }

    @Test
    void aSocketNamedGitIsNoWorkTree() throws IOException {
        // The create guard does not see bind(): a server can leave a socket named .git, which git cannot use.
        Path grant = Files.createDirectories(dir.resolve("proj/sub"));
        try (java.nio.channels.ServerSocketChannel socket =
                java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(grant.resolve(".git")));
            assertTrue(allowed(dir.resolve("proj"), false).readOnly().isEmpty());
            // control: a .git folder there is a work tree, and refused
            Files.delete(grant.resolve(".git"));
            Files.createDirectories(grant.resolve(".git"));
            assertTrue(refused(dir.resolve("proj")).contains("holds the git work tree " + grant));
        }
    }

    @Test
    void aFolderOnTheLaunchersPathIsRefusedWhetherItIsTheGrantHoldsItOrHoldsIt() throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        Path bin = Files.createDirectories(tools.resolve("bin"));
        Path deeper = Files.createDirectories(bin.resolve("sub"));
        GrantGuard onPath = new GrantGuard(List.of(home), 50, 1000, GrantGuard.commandPath("relative:.:" + bin + ":"
                + dir.resolve("absent")));
        assertEquals(List.of(bin), GrantGuard.commandPath("relative:.::" + bin + ":" + dir.resolve("absent")));
        for (Path grant : List.of(tools, bin, deeper)) {
            String message = assertThrows(PolicyException.class,
                    () -> onPath.check(grant, false, "--grant 'x:rw'", "x:rw,unprotected")).getMessage();
            assertTrue(message.contains("a folder on the launcher's PATH"), message);
            assertTrue(message.contains("x:rw,unprotected"), message);
            onPath.check(grant, true, "--grant 'x:rw'", "x:rw,unprotected");
        }
        onPath.check(Files.createDirectories(dir.resolve("elsewhere")), false, "--grant 'x:rw'", "x:rw,unprotected");
    }

    @Test
    void aFolderInASystemDirectoryIsRefusedForARootLauncher() {
        Path share = Path.of("/usr/share");
        GrantGuard root = new GrantGuard(List.of(home), 50, 0, List.of());
        String message = assertThrows(PolicyException.class,
                () -> root.check(share, false, "--grant 'x:rw'", "x:rw,unprotected")).getMessage();
        assertTrue(message.contains("/usr/share lies in the system directory /usr"), message);
        assertTrue(message.contains("the server would write there as root"), message);
    }

    @Test
    void aFolderInAHomesDotDirectoryIsRefusedWhateverItIsCalled() throws IOException {
        Path services = Files.createDirectories(home.resolve(".local/share/dbus-1/services"));
        Path cache = Files.createDirectories(home.resolve(".cache"));
        assertTrue(refused(services).contains(services + " lies in " + home.resolve(".local")), refused(services));
        assertTrue(refused(cache).contains(cache + " is " + cache), refused(cache));
        allowed(services, true);
        allowed(Files.createDirectories(home.resolve("notes")), false);
    }

    @Test
    void aProtectedProjectNameGrantedByItsOwnNameOrAFolderInItIsRefused() throws IOException {
        Path vscode = Files.createDirectories(dir.resolve("proj/.vscode/sub"));
        Path envrc = Files.writeString(dir.resolve("proj/.envrc"), "");
        assertTrue(refused(vscode.getParent()).contains(vscode.getParent() + " is " + vscode.getParent()),
                refused(vscode.getParent()));
        assertTrue(refused(vscode).contains(vscode + " lies in " + vscode.getParent()), refused(vscode));
        assertTrue(refused(envrc).contains("direnv"), refused(envrc));
        allowed(vscode, true);
    }
}
