package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    }
}
