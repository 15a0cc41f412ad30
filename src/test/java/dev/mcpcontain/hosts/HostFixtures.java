package dev.mcpcontain.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Host configuration files as each host documents them (src/test/resources/hosts), with their placeholders
 * (@SERVER@, @NOTES@, @PROJECTS@, @HOME@) replaced by real paths of the test's folder.
 */
final class HostFixtures {

    final Path root;
    final Path home;
    final Path notes;
    final Path projects;
    final Path server;

    HostFixtures(Path temp) throws IOException {
        root = temp.toRealPath();
        home = Files.createDirectories(root.resolve("home"));
        notes = Files.createDirectories(home.resolve("notes"));
        projects = Files.createDirectories(home.resolve("projects"));
        Files.createDirectories(projects.resolve("shop"));
        server = Files.writeString(root.resolve("server.js"), "// an MCP server\n");
    }

    String text(String name) throws IOException {
        try (InputStream in = HostFixtures.class.getResourceAsStream("/hosts/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, Path> p : Map.of("@SERVER@", server, "@NOTES@", notes, "@PROJECTS@", projects,
                    "@HOME@", home).entrySet()) {
                text = text.replace(p.getKey(), p.getValue().toString());
            }
            return text;
        }
    }

    Path write(String name, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text(name));
    }

    EntryImport.Context context(Host host, Path file, Map<String, String> stateEnv) {
        return new EntryImport.Context(host, home, host.workspaceFolder(file, home), Files::isDirectory,
                "/usr/local/bin/mcp-contain", stateEnv);
    }
}
