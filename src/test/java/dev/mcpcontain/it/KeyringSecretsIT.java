package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.testing.McpClients;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.PrivateSecretService;
import dev.mcpcontain.testing.TestServers;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sensitive user_config values in a REAL Secret Service (gnome-keyring-daemon on a private session bus): stored by
 * {@code add} and {@code configure}, read back independently with libsecret's secret-tool, delivered to the real
 * server-everything at run time (its get-env tool shows its environment), never in list/show/stderr/audit output,
 * refused with 125 naming {@code configure} when missing from the keyring or when the keyring is locked, deleted by
 * {@code remove}. Then the fallbacks: no session bus, and a bus without a Secret Service, each storing a 0600 file
 * with a one-line warning naming it.
 */
class KeyringSecretsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tok-" + Long.toHexString(Double.doubleToLongBits(Math.random())) + "-zq";

    @TempDir
    Path temp;

    @AfterEach
    void childrenExit() throws InterruptedException {
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private record Result(int code, String out, String err) {}

    private static Result exec(McpContainCli cli, Path temp, String stdin, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(cli.command(args)).directory(temp.toFile());
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + List.of(args));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A bundle folder holding only an MCPB manifest that starts the installed server-everything with a secret. */
    private static Path manifest(Path dir) throws Exception {
        ObjectNode m = JSON.createObjectNode();
        m.put("manifest_version", "0.3").put("name", "everything-with-token").put("version", "1.0.0")
                .put("description", "server-everything, given a token").putObject("author").put("name", "test");
        ObjectNode server = m.putObject("server");
        server.put("type", "node").put("entry_point", "index.js");
        ObjectNode config = server.putObject("mcp_config");
        config.put("command", TestServers.node());
        config.putArray("args").add(TestServers.everything().toString()).add("stdio");
        config.putObject("env").put("API_TOKEN", "${user_config.api_token}");
        m.putObject("user_config").putObject("api_token").put("type", "string").put("title", "API token")
                .put("description", "the token").put("sensitive", true).put("required", true);
        Files.createDirectories(dir);
        Path file = dir.resolve("manifest.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
        return file;
    }

    private static String envSeenByServer(McpContainCli cli, Path audit, String name) throws Exception {
        List<String> command = cli.command("run", "--audit", audit.toString(), name);
        Map<String, String> env = new java.util.HashMap<>(cli.env());
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        try (McpSyncClient client = McpClients.stdio(command, env, stderr)) {
            McpClients.initialize(client, stderr);
            return MediatedRunIT.text(client.callTool(McpClients.call("get-env", Map.of())));
        }
    }

    @Test
    void valuesLiveInTheSecretServiceReachTheServerAndNeverShow() throws Exception {
        TestServers.everything();
        try (PrivateSecretService keyring = PrivateSecretService.start(temp.resolve("keyring"))) {
            McpContainCli cli = new McpContainCli(temp.resolve("cli"));
            cli.env().put("DBUS_SESSION_BUS_ADDRESS", keyring.address());
            Path manifest = manifest(temp.resolve("bundle"));
            String name = "it-token";
            List<String> outputs = new ArrayList<>();

            Result add = exec(cli, temp, TOKEN + "\n", "add", manifest.toString(), "--name", name,
                    "--user-config", "api_token=-");
            assertEquals(0, add.code(), add.err());
            assertTrue(add.err().contains("stored in the Secret Service"), add.err());
            assertFalse(add.err().contains("warning: sensitive"), add.err());
            outputs.add(add.out() + add.err());
            Path registry = temp.resolve("cli/state/data/registry");
            Result check = exec(cli, temp, "", "check", "--json");
            assertEquals("the Secret Service (default collection)",
                    JSON.readTree(check.out()).at("/secrets/store").asText(), check.out() + check.err());
            assertFalse(Files.exists(registry.resolve(name).resolve("secrets.json")), "no secrets file beside a keyring");

            // Read back by libsecret, not by mcp-contain's own client.
            PrivateSecretService.Result lookup = keyring.secretTool("lookup", "application", "mcp-contain", "server",
                    name, "key", "api_token");
            assertEquals(0, lookup.code(), lookup.err());
            assertEquals(TOKEN, lookup.out().strip());

            for (String[] args : List.of(new String[] {"list"}, new String[] {"list", "--json"},
                    new String[] {"show", name}, new String[] {"show", name, "--json"})) {
                Result r = exec(cli, temp, "", args);
                assertEquals(0, r.code(), r.err());
                outputs.add(r.out() + r.err());
            }
            assertTrue(outputs.get(outputs.size() - 1).contains("OS keyring (Secret Service)"), outputs.toString());

            // The server gets the value in its environment; the audit log never holds it.
            Path audit = temp.resolve("audit.jsonl");
            String env = envSeenByServer(cli, audit, name);
            assertTrue(env.contains("\"API_TOKEN\": \"" + TOKEN + "\""), env);
            assertTrue(Files.size(audit) > 0, "the run was audited");
            outputs.add(Files.readString(audit));
            // Verbose logs and the dry-run plan name the variable, never its value.
            Result dry = exec(cli, temp, "", "-v", "-v", "run", "--dry-run", name);
            assertEquals(0, dry.code(), dry.err());
            assertTrue(dry.out().contains("API_TOKEN=<sensitive>"), dry.out());
            outputs.add(dry.out() + dry.err());

            // configure replaces it (one item, the new value).
            String second = TOKEN + "-2";
            Result configure = exec(cli, temp, second + "\n", "configure", name, "--user-config", "api_token=-");
            assertEquals(0, configure.code(), configure.err());
            outputs.add(configure.out() + configure.err());
            assertEquals(second, keyring.secretTool("lookup", "application", "mcp-contain", "server", name, "key",
                    "api_token").out().strip());
            PrivateSecretService.Result all = keyring.secretTool("search", "--all", "application", "mcp-contain",
                    "server", name);
            assertEquals(1, all.out().lines().filter(l -> l.startsWith("[/")).count(), all.out());

            // Gone from the keyring: the run is refused, naming the command that stores it again.
            assertEquals(0, keyring.secretTool("clear", "application", "mcp-contain", "server", name).code());
            Result missing = exec(cli, temp, "", "run", name);
            assertEquals(125, missing.code(), missing.err());
            assertTrue(missing.err().contains("mcp-contain configure " + name), missing.err());
            assertEquals("", missing.out());

            // A locked keyring: refused at once (no prompt, no hang), saying what to do.
            Result restore = exec(cli, temp, TOKEN + "\n", "configure", name, "--user-config", "api_token=-");
            assertEquals(0, restore.code(), restore.err());
            keyring.lockDefaultCollection();
            Result locked = exec(cli, temp, "", "run", name);
            assertEquals(125, locked.code(), locked.err());
            assertTrue(locked.err().contains("locked"), locked.err());
            assertTrue(locked.err().lines().count() <= 2, locked.err());
            outputs.add(locked.out() + locked.err());
            Result lockedCheck = exec(cli, temp, "", "check", "--json");
            assertTrue(JSON.readTree(lockedCheck.out()).at("/secrets/reason").asText().contains("locked"),
                    lockedCheck.out() + lockedCheck.err());

            for (String output : outputs) {
                assertFalse(output.contains(TOKEN), "a secret value in output: " + output);
            }
        }
    }

    @Test
    void removeDeletesTheKeyringItem() throws Exception {
        try (PrivateSecretService keyring = PrivateSecretService.start(temp.resolve("keyring"))) {
            McpContainCli cli = new McpContainCli(temp.resolve("cli"));
            cli.env().put("DBUS_SESSION_BUS_ADDRESS", keyring.address());
            Path manifest = manifest(temp.resolve("bundle"));
            Result add = exec(cli, temp, TOKEN + "\n", "add", manifest.toString(), "--name", "it-gone",
                    "--user-config", "api_token=-");
            assertEquals(0, add.code(), add.err());
            assertEquals(0, keyring.secretTool("lookup", "server", "it-gone", "key", "api_token").code());
            Result remove = exec(cli, temp, "", "remove", "it-gone");
            assertEquals(0, remove.code(), remove.err());
            PrivateSecretService.Result after = keyring.secretTool("search", "--all", "application", "mcp-contain");
            assertEquals("", after.out(), "remove deleted every item");
        }
    }

    @Test
    void withoutASecretServiceTheValueGoesToA0600FileWithAWarning() throws Exception {
        try (PrivateSecretService busOnly = PrivateSecretService.busOnly(temp.resolve("bus"))) {
            Path manifest = manifest(temp.resolve("bundle"));
            // No session bus at all, then a bus where nothing provides org.freedesktop.secrets.
            for (String bus : new String[] {null, busOnly.address()}) {
                Path root = temp.resolve(bus == null ? "nobus" : "noservice");
                McpContainCli cli = new McpContainCli(root);
                if (bus != null) {
                    cli.env().put("DBUS_SESSION_BUS_ADDRESS", bus);
                }
                Result add = exec(cli, temp, TOKEN + "\n", "add", manifest.toString(), "--name", "it-file",
                        "--user-config", "api_token=-");
                assertEquals(0, add.code(), add.err());
                Path file = root.resolve("state/data/registry/it-file/secrets.json");
                List<String> warnings = add.err().lines().filter(l -> l.contains("warning: sensitive values")).toList();
                assertEquals(1, warnings.size(), add.err());
                assertTrue(warnings.get(0).contains(file.toString()), add.err());
                assertTrue(warnings.get(0).contains(bus == null ? "DBUS_SESSION_BUS_ADDRESS is not set"
                        : "no Secret Service"), add.err());
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                assertTrue(Files.readString(file).contains(TOKEN));
                assertFalse(add.err().contains(TOKEN), add.err());
                if (bus == null) {
                    String env = envSeenByServer(cli, temp.resolve("audit-file.jsonl"), "it-file");
                    assertTrue(env.contains("\"API_TOKEN\": \"" + TOKEN + "\""), env);
                }
                cli.env().put("MCP_CONTAIN_SECRETS", "keyring");
                Result strict = exec(cli, temp, TOKEN + "\n", "configure", "it-file", "--user-config", "api_token=-");
                assertEquals(125, strict.code(), strict.err());
                assertTrue(strict.err().contains("MCP_CONTAIN_SECRETS=keyring"), strict.err());
            }
        }
    }
}
