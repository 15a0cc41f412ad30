package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerIdentityTest {

    @Test
    void namedAfterThePackageWithAHashOfItsLocation() {
        Path main = Path.of("/srv/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        String id = ServerIdentity.of(List.of("node", main.toString(), "/data"), main, true);
        assertTrue(id.matches("server-filesystem-[0-9a-f]{16}"), id);
        assertEquals(id, ServerIdentity.of(List.of("node", main.toString(), "/other", "--token=SECRET"), main, true),
                "other arguments (which may hold secrets) do not change the identity");
        Path elsewhere = Path.of("/opt/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        assertNotEquals(id, ServerIdentity.of(List.of("node", elsewhere.toString()), elsewhere, true));
    }

    @Test
    void packageRunnersAreNamedAfterThePackageNotTheVersion() {
        String a = ServerIdentity.of(List.of("npx", "-y", "@modelcontextprotocol/server-memory@2026.8.31"), Path.of("/usr/lib/npx-cli.js"), false);
        String b = ServerIdentity.of(List.of("npx", "-y", "@modelcontextprotocol/server-memory"), Path.of("/usr/lib/npx-cli.js"), false);
        assertEquals(a, b);
        assertTrue(a.startsWith("modelcontextprotocol-server-memory-"), a);
    }

    /**
     * Two servers whose code is chosen by the arguments (the program itself is the main file) never share an
     * identity, and so never an agent home: one server planted ~/.local/lib/python3.11/site-packages/usercustomize.py
     * in the home it shared with another, which then ran that code with its own grants.
     */
    @Test
    void argumentsThatChooseTheCodeSeparateServers() {
        Path python = Path.of("/usr/bin/python3.11");
        String git = ServerIdentity.of(List.of("python3", "-m", "mcp_server_git"), python, false);
        String fetch = ServerIdentity.of(List.of("python3", "-m", "mcp_server_fetch"), python, false);
        assertNotEquals(git, fetch);
        assertTrue(git.startsWith("python3-11-"), git);
        assertEquals(git, ServerIdentity.of(List.of("python3", "-m", "mcp_server_git"), python, false), "stable");
        Path java = Path.of("/usr/lib/jvm/bin/java");
        assertNotEquals(ServerIdentity.of(List.of("java", "-jar", "/opt/a.jar"), java, false),
                ServerIdentity.of(List.of("java", "-jar", "/opt/b.jar"), java, false));
        Path sh = Path.of("/usr/bin/dash");
        assertNotEquals(ServerIdentity.of(List.of("sh", "-c", "node /opt/a.js"), sh, false),
                ServerIdentity.of(List.of("sh", "-c", "node /opt/b.js"), sh, false));
    }

    /** A runner's sub-command or an option's value is not the package: {@code pipx run a} and {@code pipx run b} differ. */
    @Test
    void runnersWithSubcommandsOrOptionValuesSeparateServers() {
        Path pipx = Path.of("/usr/bin/pipx");
        String a = ServerIdentity.of(List.of("pipx", "run", "mcp-server-fetch"), pipx, false);
        String b = ServerIdentity.of(List.of("pipx", "run", "evil"), pipx, false);
        assertNotEquals(a, b);
        assertTrue(a.startsWith("mcp-server-fetch-"), a);
        Path uvx = Path.of("/usr/bin/uvx");
        assertNotEquals(ServerIdentity.of(List.of("uvx", "--python", "3.12", "mcp-server-git"), uvx, false),
                ServerIdentity.of(List.of("uvx", "--python", "3.12", "evil"), uvx, false));
    }

    @Test
    void givenNamesAreValidated() {
        assertEquals("my.server-1", ServerIdentity.validated("my.server-1"));
        assertThrows(PolicyException.class, () -> ServerIdentity.validated("../etc"));
        assertThrows(PolicyException.class, () -> ServerIdentity.validated("Upper"));
    }
}
