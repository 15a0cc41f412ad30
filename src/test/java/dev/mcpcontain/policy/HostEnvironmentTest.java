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

    @Test
    void stateDirectoryOverridesConfigAndDataForUsersAndRoot() {
        Map<String, String> vars = Map.of("HOME", "/x", "XDG_CONFIG_HOME", "/c", HostEnvironment.STATE_DIR_VARIABLE, "/s/t/");
        HostEnvironment user = new HostEnvironment(vars, Path.of("/x"), Path.of("/"), 1000, 1000, "ann", false);
        assertEquals(Path.of("/s/t/config"), user.configDirectory());
        assertEquals(Path.of("/s/t/data"), user.dataDirectory());
        HostEnvironment root = new HostEnvironment(vars, Path.of("/root"), Path.of("/"), 0, 0, "root", false);
        assertEquals(Path.of("/s/t/data"), root.dataDirectory(), "not /var/lib/mcp-contain");
        assertEquals(Path.of("/s/t/data/homes"), root.withStateDirectory(Path.of("/s/t")).dataDirectory().resolve("homes"));
    }

    @Test
    void relativeOrEmptyStateDirectoryIsIgnored() {
        for (String value : new String[] {"", "rel/dir"}) {
            Map<String, String> vars = Map.of(HostEnvironment.STATE_DIR_VARIABLE, value);
            HostEnvironment root = new HostEnvironment(vars, Path.of("/root"), Path.of("/"), 0, 0, "root", false);
            assertEquals(Path.of("/var/lib/mcp-contain"), root.dataDirectory());
            assertEquals(Path.of("/root/.config/mcp-contain"), root.configDirectory());
        }
    }
}
