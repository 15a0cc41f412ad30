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
}
