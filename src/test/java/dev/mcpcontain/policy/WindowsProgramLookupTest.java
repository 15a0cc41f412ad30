package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Program lookup with Windows rules (';' PATH, PATHEXT, drive and backslash paths), exercised on any OS. */
class WindowsProgramLookupTest {

    @TempDir
    Path dir;

    private Path executable(String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "MZ");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private HostEnvironment windowsHost(String path) {
        return new HostEnvironment(HostEnvironment.caseInsensitive(Map.of("Path", path, "PathExt", ".COM;.EXE;.BAT;.CMD")),
                dir, dir, -1, -1, "me", true);
    }

    @Test
    void bareNamesTryPathExtAndNeverTheExtensionlessShellScript() throws IOException {
        executable("nodejs/npx");
        Path npxCmd = executable("nodejs/npx.cmd");
        Path node = executable("other/node.exe");
        ProgramLocator locator = ProgramLocator.forHost(windowsHost(dir.resolve("nodejs") + ";" + dir.resolve("other")));
        assertEquals(npxCmd, locator.find("npx", dir));
        assertEquals(node, locator.find("node", dir));
        assertEquals(node, locator.find("node.exe", dir));
    }

    @Test
    void namesWithASeparatorArePathsAndGetAnExtensionToo() throws IOException {
        Path tool = executable("bin/tool.exe");
        ProgramLocator locator = ProgramLocator.forHost(windowsHost(""));
        assertEquals(tool, locator.find(tool.toString(), dir));
        assertEquals(tool, locator.find(dir.resolve("bin/tool").toString(), dir));
    }

    @Test
    void missingProgramNamesPathAndPathExt() {
        ProgramLocator locator = ProgramLocator.forHost(windowsHost(dir.toString()));
        PolicyException e = assertThrows(PolicyException.class, () -> locator.find("nothere", dir));
        assertEquals(127, e.exitCode());
        assertTrue(e.getMessage().contains("PATHEXT"), e.getMessage());
    }

    @Test
    void windowsVariablesAreFoundWhateverTheirCase() {
        HostEnvironment host = windowsHost("C:\\Windows");
        assertEquals("C:\\Windows", host.variables().get("PATH"));
        assertEquals(".COM;.EXE;.BAT;.CMD", host.variable("PATHEXT").orElseThrow());
    }
}
