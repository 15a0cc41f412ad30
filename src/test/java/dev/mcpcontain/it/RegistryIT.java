package dev.mcpcontain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.registry.AdminPolicy;
import dev.mcpcontain.testing.Fixtures;
import dev.mcpcontain.testing.McpContainCli;
import dev.mcpcontain.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry end to end, as root (the system registry in /var/lib/mcp-contain/registry): the real
 * server-filesystem added as a bundle (its installed package folder with an MCPB manifest), run by name through the
 * MCP Inspector CLI; one changed byte in its package refused with 125 naming 'update'; each admin policy field
 * refusing what it should (policy from {@value AdminPolicy#OVERRIDE_VARIABLE}, honoured because no system policy
 * exists); the unprivileged user unable to write root's registry.
 */
class RegistryIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private final String name = "it-fs-" + UUID.randomUUID().toString().substring(0, 8);
    private McpContainCli cli;

    @AfterEach
    void removeRegistration() throws Exception {
        if (cli != null) {
            run(List.of("remove", name));
        }
        dev.mcpcontain.testing.ChildProcesses.awaitExit();
    }

    private record Result(int code, String out, String err) {}

    private Result run(List<String> args) throws Exception {
        return exec(cli.command(args.toArray(String[]::new)), "");
    }

    private Result exec(List<String> command, String stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = builder.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aBundleIsAddedRunByNameThroughTheInspectorRefusedWhenTamperedAndPolicedByEachField() throws Exception {
        assertFalse(Files.exists(AdminPolicy.SYSTEM_FILE), AdminPolicy.SYSTEM_FILE + " exists: this test needs a host"
                + " without an admin policy (its override is honoured only then)");
        cli = new McpContainCli(temp);
        String helper = System.getProperty("mcp.contain.helper");
        if (helper != null) {
            cli.env().put("MCP_CONTAIN_HELPER", helper);
        }
        Path sandbox = Files.createDirectories(cli.home().resolve("notes")).toRealPath();
        Files.writeString(sandbox.resolve("a.txt"), "registered and contained\n");
        Path bundle = TestServers.packageDirectory("server-filesystem");
        Path manifest = bundle.resolve("manifest.json");
        ObjectNode tree = (ObjectNode) Fixtures.json(Fixtures.MANIFEST);
        tree.remove("_meta"); // no static tools: the first run pins what the server lists
        Files.writeString(manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree));

        Result add = run(List.of("add", manifest.toString(), "--name", name, "--grant", sandbox + ":rw",
                "--user-config", "allowed_directories=" + sandbox));
        assertEquals(0, add.code(), add.err());
        assertEquals("", add.out(), "add writes nothing to stdout");

        Result show = run(List.of("show", name, "--json"));
        assertEquals(0, show.code(), show.err());
        JsonNode shown = JSON.readTree(show.out());
        assertEquals(bundle.toString(), shown.at("/code/path").asText());
        assertEquals(64, shown.at("/code/sha256").asText().length());
        assertTrue(shown.at("/code/sha256").asText().matches("[0-9a-f]{64}"));
        Result list = run(List.of("list", "--json"));
        boolean listed = false;
        for (JsonNode server : JSON.readTree(list.out()).path("servers")) {
            listed |= server.path("name").asText().equals(name);
        }
        assertTrue(listed, list.out());

        // Run by name through the MCP Inspector CLI (it spawns the launcher script as its stdio server).
        Result call = inspector(List.of("--method", "tools/call", "--tool-name", "read_text_file", "--tool-arg",
                "path=" + sandbox.resolve("a.txt")));
        assertEquals(0, call.code(), call.out() + call.err());
        assertTrue(call.out().contains("registered and contained"), call.out() + call.err());

        // One byte changed in the package: refused, naming the update command.
        Path index = bundle.resolve("dist/index.js");
        byte[] original = Files.readAllBytes(index);
        byte[] tampered = original.clone();
        tampered[tampered.length - 1] = (byte) (tampered[tampered.length - 1] == ' ' ? '\n' : ' ');
        try {
            Files.write(index, tampered);
            Result refused = run(List.of("run", name));
            assertEquals(125, refused.code(), refused.err());
            assertTrue(refused.err().contains("mcp-contain update " + name), refused.err());
            assertEquals("", refused.out());
        } finally {
            Files.write(index, original);
        }
        Result restored = run(List.of("run", "--dry-run", name));
        assertEquals(0, restored.code(), "the original bytes hash as registered again: " + restored.err());

        policies(sandbox);
        unprivilegedUserCannotWriteRootsRegistry();
    }

    private Result inspector(List<String> request) throws Exception {
        Path bin = TestServers.PREFIX.resolve("inspector/node_modules/.bin/mcp-inspector");
        if (!Files.isExecutable(bin)) {
            fail(bin + " missing: run scripts/install-test-servers");
        }
        List<String> command = new ArrayList<>(List.of(bin.toString(), "--cli"));
        // The inspector hands its server only a default environment: what the launcher needs is passed explicitly.
        for (Map.Entry<String, String> e : cli.env().entrySet()) {
            command.add("-e");
            command.add(e.getKey() + "=" + e.getValue());
        }
        command.add(TestServers.PROJECT.resolve("scripts/mcp-contain").toString());
        command.add("run");
        command.add(name);
        command.addAll(request);
        return exec(command, "");
    }

    /** Each field of the admin policy refuses what it should; a policy without fields refuses nothing. */
    private void policies(Path sandbox) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("etc-mcp-contain"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = dir.resolve("policy.json");
        cli.env().put(AdminPolicy.OVERRIDE_VARIABLE, policy.toString());

        expect(policy, "{}", List.of("run", "--dry-run", name), 0, null);
        expect(policy, "{\"allowServers\":[\"other-*\"]}", List.of("run", "--dry-run", name), 125, "allowServers");
        expect(policy, "{\"allowServers\":[\"it-fs-*\"]}", List.of("run", "--dry-run", name), 0, null);
        expect(policy, "{\"allowServers\":[\"it-fs-*\"]}", List.of("run", "--dry-run", "--", "/bin/true"), 125,
                "allowServers");
        expect(policy, "{\"forbidProfiles\":[\"default\"]}", List.of("run", "--dry-run", name), 125, "forbidProfiles");
        expect(policy, "{\"forbidNetworkHost\":true}", List.of("run", "--dry-run", "--network", "host", name), 125,
                "forbidNetworkHost");
        expect(policy, "{\"forbidNetworkHost\":true}", List.of("run", "--dry-run", "--network", "none", name), 0, null);
        expect(policy, "{\"forbidIsolation\":[\"landlock\"]}", List.of("run", "--dry-run", "--isolation", "landlock",
                name), 125, "forbidIsolation");
        expect(policy, "{\"requireMediation\":true}", List.of("run", "--dry-run", "--no-mediate", "--", "/bin/true"),
                125, "requireMediation");
        expect(policy, "{\"requireMediation\":true}", List.of("run", "--dry-run", "--", "/bin/true"), 0, null);
        expect(policy, "{\"requireSignedBundles\":true}", List.of("run", "--dry-run", name), 125,
                "requireSignedBundles");
        expect(policy, "{\"denyGrants\":[\"" + sandbox + "\"]}", List.of("run", "--dry-run", name), 125, "denyGrants");
        expect(policy, "{\"denyGrants\":[\"" + sandbox.getParent() + "\"]}", List.of("run", "--dry-run", "--grant",
                sandbox + ":ro", "--", "/bin/true"), 125, "denyGrants");
        expect(policy, "{\"forbidNetworkHst\":true}", List.of("run", "--dry-run", name), 125, "forbidNetworkHst");
        Files.writeString(policy, "{}");
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rw-rw-rw-"));
        Result writable = run(List.of("run", "--dry-run", name));
        assertEquals(125, writable.code(), writable.err());
        assertTrue(writable.err().contains(policy + ": ") && writable.err().contains("writable"), writable.err());
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rw-r--r--"));
        Result check = run(List.of("check"));
        assertTrue(check.out().contains("admin policy: " + policy), check.out());
        cli.env().remove(AdminPolicy.OVERRIDE_VARIABLE);
    }

    private void expect(Path policy, String json, List<String> args, int code, String field) throws Exception {
        Files.writeString(policy, json);
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rw-r--r--"));
        Result r = run(args);
        assertEquals(code, r.code(), json + " " + args + ": " + r.err());
        if (field != null) {
            assertTrue(r.err().contains(policy.toString()) && r.err().contains(field), json + ": " + r.err());
        }
    }

    /** Root's registry is root's: the unprivileged user can neither add to it nor change an entry. */
    private void unprivilegedUserCannotWriteRootsRegistry() throws Exception {
        // The CLI runs with a private state folder (MCP_CONTAIN_STATE_DIR): root's registry is at DIR/data/registry.
        // The folders above it are opened for passage, so only the registry's own protection is what stops mcp-test.
        Path registry = temp.resolve("state/data/registry");
        for (Path p = registry.getParent(); p.startsWith(temp); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path entry = registry.resolve(name).resolve("server.json");
        String before = Files.readString(entry);
        Process control = new ProcessBuilder("runuser", "-u", "mcp-test", "--", "sh", "-c",
                "cat /dev/null > /tmp/.mcp-contain-registry-it-" + name + " && rm /tmp/.mcp-contain-registry-it-" + name)
                .inheritIO().start();
        assertEquals(0, control.waitFor(), "positive control: mcp-test can write where it may");
        for (String attempt : List.of("echo '{}' > " + entry, "mkdir " + registry.resolve("planted-" + name),
                "ln -s /tmp " + registry.resolve("link-" + name), "echo x > " + entry.getParent().resolve("x"))) {
            Process p = new ProcessBuilder("runuser", "-u", "mcp-test", "--", "sh", "-c", attempt + " 2>/dev/null")
                    .start();
            assertNotEquals(0, p.waitFor(), "mcp-test must not: " + attempt);
        }
        assertEquals(before, Files.readString(entry));
        assertFalse(Files.exists(registry.resolve("planted-" + name)));
    }
}
