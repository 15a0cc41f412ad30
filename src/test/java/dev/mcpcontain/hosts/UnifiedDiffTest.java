package dev.mcpcontain.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcpcontain.policy.HostEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --dry-run diff, as diff -u prints it; and where each host keeps its file. */
class UnifiedDiffTest {

    @Test
    void changesFarApartAreSeparateHunksWithThreeLinesOfContext() {
        String before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n";
        String after = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\nadded\n";
        assertEquals("""
                --- old
                +++ new
                @@ -1,5 +1,5 @@
                 a
                -b
                +B
                 c
                 d
                 e
                @@ -12,3 +12,4 @@
                 l
                 m
                 n
                +added
                """, UnifiedDiff.of("old", "new", before, after));
        assertEquals("", UnifiedDiff.of("old", "new", before, before));
    }

    @Test
    void aNewFileIsAllAdded() {
        assertEquals("--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+{\n+}\n", UnifiedDiff.of("/dev/null", "f", "", "{\n}\n"));
    }

    @Test
    void eachHostsUserWideFile() {
        HostEnvironment linux = new HostEnvironment(Map.of(), Path.of("/home/ann"), Path.of("/"), 1000, 1000, "ann", false);
        assertEquals(Path.of("/home/ann/.config/Claude/claude_desktop_config.json"),
                Host.CLAUDE_DESKTOP.defaultFile(linux, "Linux"));
        assertEquals(Path.of("/home/ann/.config/Code/User/mcp.json"), Host.VSCODE.defaultFile(linux, "Linux"));
        assertEquals(Path.of("/home/ann/.cursor/mcp.json"), Host.CURSOR.defaultFile(linux, "Linux"));
        assertEquals(Path.of("/home/ann/.claude.json"), Host.CLAUDE_CODE.defaultFile(linux, "Linux"));
        HostEnvironment xdg = new HostEnvironment(Map.of("XDG_CONFIG_HOME", "/cfg", "CLAUDE_CONFIG_DIR", "/cc"),
                Path.of("/home/ann"), Path.of("/"), 1000, 1000, "ann", false);
        assertEquals(Path.of("/cfg/Claude/claude_desktop_config.json"), Host.CLAUDE_DESKTOP.defaultFile(xdg, "Linux"));
        assertEquals(Path.of("/cc/.claude.json"), Host.CLAUDE_CODE.defaultFile(xdg, "Linux"));
        assertEquals(Path.of("/Users/ann/Library/Application Support/Claude/claude_desktop_config.json"),
                Host.CLAUDE_DESKTOP.defaultFile(new HostEnvironment(Map.of(), Path.of("/Users/ann"), Path.of("/"),
                        501, 20, "ann", false), "Mac OS X"));
        assertEquals(Path.of("/Users/ann/Library/Application Support/Code/User/mcp.json"),
                Host.VSCODE.defaultFile(new HostEnvironment(Map.of(), Path.of("/Users/ann"), Path.of("/"),
                        501, 20, "ann", false), "Mac OS X"));
    }
}
