package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mcpcontain.policy.PolicyException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSplitterTest {

    @Test
    void splitsLikeAShellWithoutExpanding() {
        assertEquals(List.of("node", "/opt/srv/index.js", "/data"), CommandSplitter.split("node /opt/srv/index.js /data"));
        assertEquals(List.of("npx", "-y", "@scope/pkg"), CommandSplitter.split("  npx   -y\t@scope/pkg "));
        assertEquals(List.of("node", "/My Files/srv.js"), CommandSplitter.split("node '/My Files/srv.js'"));
        assertEquals(List.of("sh", "-c", "echo \"hi\" $HOME"), CommandSplitter.split("sh -c \"echo \\\"hi\\\" \\$HOME\""));
        assertEquals(List.of("a b", "c"), CommandSplitter.split("a\\ b c"));
        assertEquals(List.of("x", ""), CommandSplitter.split("x ''"));
        assertEquals(List.of("$HOME", "*", "~"), CommandSplitter.split("$HOME * ~"));
    }

    @Test
    void unterminatedQuotesAreErrors() {
        assertThrows(PolicyException.class, () -> CommandSplitter.split("node 'x"));
        assertThrows(PolicyException.class, () -> CommandSplitter.split("node \"x"));
    }
}
