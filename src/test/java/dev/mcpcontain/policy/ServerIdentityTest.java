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
        String id = ServerIdentity.of(List.of("node", main.toString(), "/data"), main);
        assertTrue(id.matches("server-filesystem-[0-9a-f]{16}"), id);
        assertEquals(id, ServerIdentity.of(List.of("node", main.toString(), "/other", "--token=SECRET"), main),
                "other arguments (which may hold secrets) do not change the identity");
        Path elsewhere = Path.of("/opt/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        assertNotEquals(id, ServerIdentity.of(List.of("node", elsewhere.toString()), elsewhere));
    }

    @Test
    void packageRunnersAreNamedAfterThePackageNotTheVersion() {
        String a = ServerIdentity.of(List.of("npx", "-y", "@modelcontextprotocol/server-memory@2026.8.31"), Path.of("/usr/lib/npx-cli.js"));
        String b = ServerIdentity.of(List.of("npx", "-y", "@modelcontextprotocol/server-memory"), Path.of("/usr/lib/npx-cli.js"));
        assertEquals(a, b);
        assertTrue(a.startsWith("modelcontextprotocol-server-memory-"), a);
    }

    @Test
    void givenNamesAreValidated() {
        assertEquals("my.server-1", ServerIdentity.validated("my.server-1"));
        assertThrows(PolicyException.class, () -> ServerIdentity.validated("../etc"));
        assertThrows(PolicyException.class, () -> ServerIdentity.validated("Upper"));
    }
}
