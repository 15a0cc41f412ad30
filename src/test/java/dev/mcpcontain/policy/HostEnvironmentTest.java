package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostEnvironmentTest {

    @Test
    void homeComesFromTheHomeVariableWhenSet() {
        assertEquals(Path.of("/x/home"), HostEnvironment.home(Map.of("HOME", "/x/home/"), "/home/ann", false));
    }

    @Test
    void passwdHomeWhenHomeIsUnsetEmptyOrRelative() {
        assertEquals(Path.of("/home/ann"), HostEnvironment.home(Map.of(), "/home/ann", false));
        assertEquals(Path.of("/home/ann"), HostEnvironment.home(Map.of("HOME", ""), "/home/ann", false));
        assertEquals(Path.of("/home/ann"), HostEnvironment.home(Map.of("HOME", "relative"), "/home/ann", false));
    }

    @Test
    void configAndDataFolderFollowHome() {
        Map<String, String> vars = Map.of("HOME", "/x");
        HostEnvironment host = new HostEnvironment(vars, HostEnvironment.home(vars, "/home/ann", false), Path.of("/"),
                1000, 1000, "ann", false);
        assertEquals(Path.of("/x/.config/mcp-contain"), host.configDirectory());
        assertEquals(Path.of("/x/.local/share/mcp-contain"), host.dataDirectory());
    }
}
