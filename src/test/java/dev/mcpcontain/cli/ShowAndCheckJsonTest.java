package dev.mcpcontain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.ApprovalStore;
import dev.mcpcontain.registry.AdminPolicy;
import dev.mcpcontain.testing.McpContainCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code show} carries the server's approvals next to its pins; {@code check} the admin policy in force. */
class ShowAndCheckJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private record Result(int code, String out, String err) {}

    private static Result exec(McpContainCli cli, Path temp, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(cli.command(args)).directory(temp.toFile());
        builder.environment().remove(AdminPolicy.OVERRIDE_VARIABLE);
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        builder.environment().remove("MCP_CONTAIN_SECRETS");
        builder.environment().putAll(cli.env());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + List.of(args));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void showListsTheProfileRulesAndTheDecisionsForThatServerOnly() throws Exception {
        McpContainCli cli = new McpContainCli(temp);
        Result add = exec(cli, temp, "add", "--name", "cat-server", "--profile", "strict", "--", "/bin/cat");
        assertEquals(0, add.code(), add.err());
        ApprovalStore approvals = new ApprovalStore(temp.resolve("state/config/approvals.json"));
        approvals.put("*", "cat-server", "echo", "a".repeat(64), Approval.ALLOW, "command");
        approvals.put("claude-ai", "cat-server", "wipe", "b".repeat(64), Approval.DENY, "tty");
        approvals.put("*", "other-server", "echo", "c".repeat(64), Approval.ALLOW, "command");

        Result show = exec(cli, temp, "show", "cat-server", "--json");
        assertEquals(0, show.code(), show.err());
        JsonNode shown = JSON.readTree(show.out());
        List<String> fields = new java.util.ArrayList<>();
        shown.fieldNames().forEachRemaining(fields::add);
        assertEquals(fields.indexOf("pins") + 1, fields.indexOf("approvals"), "approvals next to pins: " + fields);
        JsonNode decisions = shown.at("/approvals/decisions");
        assertEquals(2, decisions.size(), decisions.toString());
        assertEquals("echo", decisions.get(0).path("tool").asText());
        assertEquals("allow", decisions.get(0).path("decision").asText());
        assertEquals("*", decisions.get(0).path("client").asText());
        assertEquals("deny", decisions.get(1).path("decision").asText());
        assertEquals("claude-ai", decisions.get(1).path("client").asText());
        assertEquals("tty", decisions.get(1).path("decidedBy").asText());
        assertEquals(temp.resolve("state/config/approvals.json").toString(), shown.at("/approvals/file").asText());
        assertTrue(shown.at("/approvals/rules").isObject(), shown.toString());

        Result text = exec(cli, temp, "show", "cat-server");
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("approvals:") && l.contains("\"wipe\"")), text.out());
    }

    @Test
    void checkJsonSaysWhenNoPolicyIsInForce() throws Exception {
        assumeTrue(!Files.exists(AdminPolicy.SYSTEM_FILE), AdminPolicy.SYSTEM_FILE + " exists on this machine");
        McpContainCli cli = new McpContainCli(temp);
        Result check = exec(cli, temp, "check", "--json");
        JsonNode policy = JSON.readTree(check.out()).path("adminPolicy");
        assertFalse(policy.path("inForce").asBoolean(true), check.out());
        assertTrue(policy.path("file").isNull(), check.out());
        assertTrue(policy.path("note").asText().contains("no policy file"), check.out());
        JsonNode secrets = JSON.readTree(check.out()).path("secrets");
        assertEquals("auto", secrets.path("mode").asText(), check.out());
        assertEquals("0600 file", secrets.path("store").asText(), check.out());
        assertTrue(secrets.path("reason").asText().contains("DBUS_SESSION_BUS_ADDRESS is not set"), check.out());
        Result text = exec(cli, temp, "check");
        assertTrue(text.out().contains("admin policy: none"), text.out());
        assertTrue(text.out().contains("secrets: 0600 file (no Secret Service"), text.out());
    }

    @Test
    void checkJsonShowsEachFieldOfThePolicyInForce() throws Exception {
        assumeTrue(!Files.exists(AdminPolicy.SYSTEM_FILE), AdminPolicy.SYSTEM_FILE + " exists on this machine");
        int uid = (Integer) Files.getAttribute(temp, "unix:uid");
        assumeTrue(uid == 0, "a policy file must belong to root: run as root (scripts/test does)");
        Path dir = Files.createDirectories(temp.resolve("etc"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"allowServers\": [\"gh-*\"], \"forbidProfiles\": [\"reduced\"],"
                + " \"forbidNetworkHost\": true, \"forbidIsolation\": [\"landlock\"], \"requireMediation\": true,"
                + " \"requireSignedBundles\": true, \"denyGrants\": [\"/srv/secret\"]}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        McpContainCli cli = new McpContainCli(temp);
        cli.env().put(AdminPolicy.OVERRIDE_VARIABLE, file.toString());
        Result check = exec(cli, temp, "check", "--json");
        JsonNode policy = JSON.readTree(check.out()).path("adminPolicy");
        assertTrue(policy.path("inForce").asBoolean(), check.out() + check.err());
        assertEquals(file.toString(), policy.path("file").asText());
        assertEquals("[\"gh-*\"]", policy.path("allowServers").toString());
        assertEquals("[\"reduced\"]", policy.path("forbidProfiles").toString());
        assertTrue(policy.path("forbidNetworkHost").asBoolean());
        assertEquals("[\"landlock\"]", policy.path("forbidIsolation").toString());
        assertTrue(policy.path("requireMediation").asBoolean());
        assertTrue(policy.path("requireSignedBundles").asBoolean());
        assertEquals("[\"/srv/secret\"]", policy.path("denyGrants").toString());
        Result text = exec(cli, temp, "check");
        assertTrue(text.out().contains("admin policy: " + file), text.out());
        assertTrue(text.out().contains("  denyGrants: /srv/secret"), text.out());
    }
}
