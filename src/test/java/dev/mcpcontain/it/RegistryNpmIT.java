package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.McpContainCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code add npm:FILE.tgz}: a package made with {@code npm pack} (no network: a local tarball without dependencies)
 * installed into the store without its lifecycle scripts, hashed, shown, and planned by name. A registry package's
 * {@code npm audit signatures} needs the registry and is not exercised here.
 */
class RegistryNpmIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private final String name = "it-npm-" + UUID.randomUUID().toString().substring(0, 8);
    private McpContainCli cli;

    @AfterEach
    void remove() throws Exception {
        if (cli != null) {
            exec(cli.command("remove", name));
        }
    }

    private String[] exec(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "timed out: " + command);
        return new String[] {String.valueOf(p.exitValue()), Files.readString(out), Files.readString(err)};
    }

    @Test
    void aLocalTarballIsInstalledWithoutItsScriptsHashedAndRunByName() throws Exception {
        cli = new McpContainCli(temp);
        Path pkg = Files.createDirectories(temp.resolve("pkg"));
        Path marker = temp.resolve("postinstall-ran");
        Files.writeString(pkg.resolve("package.json"), "{\"name\":\"tiny-mcp\",\"version\":\"1.0.0\","
                + "\"bin\":{\"tiny-mcp\":\"server.js\"},\"scripts\":{\"postinstall\":\"touch " + marker + "\"}}");
        Files.writeString(pkg.resolve("server.js"), "#!/usr/bin/env node\nprocess.stdin.pipe(process.stdout);\n");
        Process pack = new ProcessBuilder("npm", "pack", "--pack-destination", temp.toString(), "--loglevel=error")
                .directory(pkg.toFile()).redirectErrorStream(true).start();
        pack.getInputStream().readAllBytes();
        assertEquals(0, pack.waitFor());
        Path tarball = temp.resolve("tiny-mcp-1.0.0.tgz");
        assertTrue(Files.isRegularFile(tarball));

        String[] add = exec(cli.command("add", "npm:" + tarball, "--name", name));
        assertEquals("0", add[0], add[2]);
        assertTrue(add[2].contains("no registry signature"), add[2]);
        assertFalse(Files.exists(marker), "lifecycle scripts never run at add");

        String[] show = exec(cli.command("show", name, "--json"));
        JsonNode shown = JSON.readTree(show[1]);
        assertEquals("npm", shown.path("source").asText());
        assertFalse(shown.path("signed").asBoolean());
        Path code = Path.of(shown.at("/code/path").asText());
        assertTrue(Files.isRegularFile(code.resolve("node_modules/tiny-mcp/server.js")), shown.toString());
        assertTrue(shown.path("command").get(1).asText().endsWith("node_modules/tiny-mcp/server.js"));

        String[] dry = exec(cli.command("run", "--dry-run", name));
        assertEquals("0", dry[0], dry[2]);
        assertTrue(dry[1].contains("server.js"), dry[1]);

        Files.writeString(code.resolve("node_modules/tiny-mcp/server.js"), "\n", java.nio.file.StandardOpenOption.APPEND);
        String[] refused = exec(cli.command("run", "--dry-run", name));
        assertEquals("125", refused[0], refused[2]);
        assertTrue(refused[2].contains("mcp-contain update " + name), refused[2]);
        String[] update = exec(cli.command("update", name));
        assertEquals("0", update[0], update[2]);
        assertTrue(update[2].contains("review its tools"), update[2]);
        assertEquals("0", exec(cli.command("run", "--dry-run", name))[0]);
        List<String> again = new ArrayList<>(cli.command("add", "npm:" + tarball, "--name", name));
        assertEquals("125", exec(again)[0], "a name is registered once");
    }
}
