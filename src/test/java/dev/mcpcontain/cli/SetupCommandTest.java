package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SetupCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "--list-grants", "--revoke-grants", "--user=agent2"})
    @DisabledOnOs(OS.WINDOWS)
    void refusesOffWindowsWithOneLine(String option) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = option.isEmpty() ? new String[] {"setup"} : new String[] {"setup", option};
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(125, code);
        assertEquals("", out.toString());
        String[] lines = err.toString().strip().split("\n");
        assertEquals(1, lines.length, err.toString());
        assertTrue(lines[0].startsWith("mcp-contain: mcp-contain setup is for Windows"), lines[0]);
        assertFalse(err.toString().contains("Exception"));
    }
}
