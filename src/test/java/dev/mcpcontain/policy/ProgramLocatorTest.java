package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramLocatorTest {

    @TempDir
    Path dir;

    private static Path executable(Path path, String content) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    @Test
    void notOnALongPathNamesTheFirstDirectoriesAndCountsTheRest() {
        String path = "/a:/b::/c:/d:/e:/a";
        PolicyException e = org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                () -> new ProgramLocator(path).find("nothere", dir));
        assertEquals(127, e.exitCode());
        assertEquals("program 'nothere' not found on PATH (searched 5 directories: /a, /b, /c and 2 more);"
                + " give its path to run it from elsewhere", e.getMessage());
    }

    @Test
    void notOnAnEmptyOrOneEntryPath() {
        assertEquals("program 'x' not found: PATH is empty; give its path to run it from elsewhere",
                org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                        () -> new ProgramLocator("").find("x", dir)).getMessage());
        assertEquals("program 'x' not found on PATH (searched its 1 directory: /bin); give its path to run it from"
                + " elsewhere", org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                        () -> new ProgramLocator("/bin").find("x", dir)).getMessage());
    }

    @Test
    void nodeScriptInsideNodeModulesExposesOnlyNodeModules() throws IOException {
        Path root = dir.toRealPath();
        Path script = root.resolve("project/node_modules/@mcp/server-filesystem/dist/index.js");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "console.log(1)");
        Files.writeString(root.resolve("project/node_modules/@mcp/server-filesystem/package.json"), "{}");
        Files.createDirectories(root.resolve("project/private"));
        ProgramLocator.Located located = new ProgramLocator("/usr/bin:/bin")
                .locate(List.of("node", script.toString()), root);
        assertEquals(Set.of(root.resolve("project/node_modules")), located.readablePaths().keySet());
        assertEquals(script, located.mainPath());
    }

    @Test
    void scriptOutsideNodeModulesExposesItsPackageRoot() throws IOException {
        Path root = dir.toRealPath();
        Files.createDirectories(root.resolve("srv/dist"));
        Files.writeString(root.resolve("srv/package.json"), "{}");
        Files.writeString(root.resolve("srv/dist/index.js"), "");
        ProgramLocator.Located located = new ProgramLocator("/usr/bin:/bin")
                .locate(List.of("node", "srv/dist/index.js"), root);
        assertEquals(Set.of(root.resolve("srv")), located.readablePaths().keySet());
    }

    @Test
    void toolInPrefixBinExposesThePrefixAndItsShebangInterpreter() throws IOException {
        Path root = dir.toRealPath();
        executable(root.resolve("node-v20/bin/node"), "#!/bin/sh\n");
        Files.createDirectories(root.resolve("node-v20/lib"));
        Files.createDirectories(root.resolve("tools/share"));
        Path tool = executable(root.resolve("tools/bin/my-server"), "#!/usr/bin/env node\nconsole.log(1)\n");
        ProgramLocator.Located located = new ProgramLocator(root.resolve("node-v20/bin") + ":/usr/bin:/bin")
                .locate(List.of(tool.toString()), root);
        assertTrue(located.readablePaths().containsKey(root.resolve("tools")), located.readablePaths().toString());
        assertTrue(located.readablePaths().containsKey(root.resolve("node-v20")), located.readablePaths().toString());
    }

    @Test
    void virtualEnvironmentIsExposedAndExecutedByItsOwnPath() throws IOException {
        Path root = dir.toRealPath();
        Files.createDirectories(root.resolve("venv/bin"));
        Files.writeString(root.resolve("venv/pyvenv.cfg"), "home = /usr/bin\n");
        Files.createSymbolicLink(root.resolve("venv/bin/python3"), Path.of("/bin/sh"));
        ProgramLocator.Located located = new ProgramLocator("/usr/bin:/bin")
                .locate(List.of(root.resolve("venv/bin/python3").toString()), root);
        assertEquals(root.resolve("venv/bin/python3"), located.executable(), "not the symlink's target");
        assertTrue(located.readablePaths().containsKey(root.resolve("venv")));
    }

    @Test
    void systemProgramsNeedNothing() {
        ProgramLocator.Located located = new ProgramLocator("/usr/bin:/bin").locate(List.of("sh", "-c", "true"), dir);
        assertEquals(Set.of(), located.readablePaths().keySet());
    }

    // --- issue 7 class 2: the automatic mount never exposes a home, a shared temp directory or credentials -------

    /** A host whose only home is {@code root/home/alice} and whose only shared temp directory is {@code root/tmp}. */
    private ProgramRootCheck.HostPlaces places(Path root) {
        return new ProgramRootCheck.HostPlaces(Set.of(root.resolve("home/alice"), root.resolve("home")),
                Set.of(root.resolve("tmp")));
    }

    private ProgramLocator.Located locate(Path root, String... command) {
        return new ProgramLocator("/usr/bin:/bin", places(root)).locate(List.of(command), root);
    }

    private static void assertOnlyFile(Path file, ProgramLocator.Located located) {
        assertEquals(Set.of(file), located.readablePaths().keySet(), located.readablePaths().toString());
        assertTrue(located.readablePaths().get(file).contains("--grant DIR:ro"), "says how to grant more: "
                + located.readablePaths());
    }

    @Test
    void programInHomeBinMountsOnlyTheFileEvenWhenHomeLooksLikeAPrefix() throws IOException {
        Path root = dir.toRealPath();
        Path home = root.resolve("home/alice");
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("share"));
        Files.writeString(home.resolve("secret.txt"), "s");
        Path srv = executable(home.resolve("bin/srv"), "\0ELF");
        ProgramLocator.Located located = locate(root, srv.toString());
        assertOnlyFile(srv, located);
        assertTrue(located.readablePaths().get(srv).contains("is a home directory"), located.readablePaths().toString());
    }

    @Test
    void interpreterScriptInHomeMountsOnlyTheScriptEvenWithAPackageMarker() throws IOException {
        Path root = dir.toRealPath();
        Path home = root.resolve("home/alice");
        Files.createDirectories(home);
        Files.writeString(home.resolve("package.json"), "{}");
        Files.writeString(home.resolve("server.js"), "1");
        ProgramLocator.Located located = locate(root, "node", home.resolve("server.js").toString());
        assertOnlyFile(home.resolve("server.js"), located);
    }

    @Test
    void cargoBinMountsOnlyTheFileNeverTheCredentialStore() throws IOException {
        Path root = dir.toRealPath();
        Path cargo = root.resolve("home/alice/.cargo");
        Files.createDirectories(cargo.resolve("lib"));
        Files.writeString(cargo.resolve("credentials.toml"), "token = \"x\"");
        Path srv = executable(cargo.resolve("bin/srv"), "\0ELF");
        assertOnlyFile(srv, locate(root, srv.toString()));
    }

    @Test
    void programInSharedTempMountsOnlyTheFile() throws IOException {
        Path root = dir.toRealPath();
        Files.writeString(Files.createDirectories(root.resolve("tmp")).resolve("other-secret"), "s");
        Path srv = executable(root.resolve("tmp/srv"), "\0ELF");
        assertOnlyFile(srv, locate(root, srv.toString()));
        Files.writeString(root.resolve("tmp/server.js"), "1");
        Files.writeString(root.resolve("tmp/package.json"), "{}");
        assertOnlyFile(root.resolve("tmp/server.js"), locate(root, "node", root.resolve("tmp/server.js").toString()));
    }

    @Test
    void prefixHoldingCredentialFilesMountsOnlyTheFile() throws IOException {
        Path root = dir.toRealPath();
        for (String secret : List.of(".npmrc", ".netrc", ".pypirc", ".git-credentials", "credentials.toml", "id_ed25519",
                "server.pem", ".env")) {
            Path prefix = root.resolve("srv-" + secret.replace('.', '_'));
            Files.createDirectories(prefix.resolve("lib"));
            Files.writeString(prefix.resolve(secret), "s");
            Path srv = executable(prefix.resolve("bin/srv"), "\0ELF");
            assertOnlyFile(srv, locate(root, srv.toString()));
        }
    }

    @Test
    void scriptWithoutAnyLayoutMountsOnlyTheScript() throws IOException {
        Path root = dir.toRealPath();
        Path script = root.resolve("downloads/server.py");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "print(1)");
        Files.writeString(root.resolve("downloads/bank-statement.pdf"), "s");
        assertOnlyFile(script, locate(root, "python3", script.toString()));
    }

    @Test
    void recognisedLayoutsInsideHomeStillWork() throws IOException {
        Path root = dir.toRealPath();
        Path home = root.resolve("home/alice");
        // A node_modules package in a project.
        Path pkg = home.resolve("work/app/node_modules/@mcp/server-filesystem");
        Files.createDirectories(pkg.resolve("dist"));
        Files.writeString(pkg.resolve("package.json"), "{}");
        Files.writeString(pkg.resolve("dist/index.js"), "1");
        assertEquals(Set.of(home.resolve("work/app/node_modules")),
                locate(root, "node", pkg.resolve("dist/index.js").toString()).readablePaths().keySet());
        // A pipx virtual environment below ~/.local/share, run through its bin/ script.
        Path venv = home.resolve(".local/share/pipx/venvs/mcp-server-git");
        Files.createDirectories(venv.resolve("lib/python3.12/site-packages"));
        Files.writeString(venv.resolve("pyvenv.cfg"), "home = /usr/bin\n");
        Path tool = executable(venv.resolve("bin/mcp-server-git"), "#!" + venv.resolve("bin/python") + "\n");
        assertEquals(Set.of(venv), locate(root, tool.toString()).readablePaths().keySet());
        // A script inside site-packages: its virtual environment.
        Path module = venv.resolve("lib/python3.12/site-packages/mcp_server_git/__main__.py");
        Files.createDirectories(module.getParent());
        Files.writeString(module, "1");
        assertEquals(Set.of(venv), locate(root, "python3", module.toString()).readablePaths().keySet());
        // A tool prefix (~/node-v20 with bin/ and lib/).
        Files.createDirectories(home.resolve("node-v20/lib"));
        Path node = executable(home.resolve("node-v20/bin/node-srv"), "\0ELF");
        assertEquals(Set.of(home.resolve("node-v20")), locate(root, node.toString()).readablePaths().keySet());
    }

    @Test
    void dotDirectoriesNearAHomeAreNeverMountedWhole() throws IOException {
        Path root = dir.toRealPath();
        Path home = root.resolve("home/alice");
        // ~/.local/bin/tool with ~/.local/lib: ~/.local holds share/keyrings and other servers' state.
        Files.createDirectories(home.resolve(".local/lib"));
        Path tool = executable(home.resolve(".local/bin/tool"), "\0ELF");
        assertOnlyFile(tool, locate(root, tool.toString()));
    }
}
