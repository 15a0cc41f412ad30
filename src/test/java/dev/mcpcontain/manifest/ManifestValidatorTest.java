package dev.mcpcontain.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static ObjectNode fixture() {
        return (ObjectNode) Fixtures.json(Fixtures.MANIFEST);
    }

    private static List<String> errors(ObjectNode manifest, boolean strict) {
        return ManifestValidator.validate(manifest, strict).stream().filter(ManifestProblem::error)
                .map(p -> p.path() + ": " + p.message()).toList();
    }

    @Test
    void theRealServerFilesystemManifestIsValid() {
        assertEquals(List.of(), ManifestValidator.validate(fixture(), true));
    }

    @Test
    void everyProblemIsReportedWithItsJsonPath() {
        ObjectNode m = fixture();
        m.put("version", "2.x");
        m.remove("description");
        ((ObjectNode) m.get("author")).put("mail", "a@b");
        ((ObjectNode) m.path("server")).put("type", "deno");
        ArrayNode args = (ArrayNode) m.at("/server/mcp_config/args");
        args.add("${user_config.nope}").add("${TMP}/x");
        ((ArrayNode) m.get("tools")).addObject().put("name", "ghost");
        ((ObjectNode) m.at("/_meta/com.microsoft.windows/static_responses/initialize/serverInfo")).put("name", "other");
        m.put("extra", 1);
        List<String> errors = errors(m, true);
        List<String> expectedPaths = List.of("$.extra", "$.description", "$.version", "$.author.mail", "$.server.type",
                "$.server.mcp_config.args[2]", "$.server.mcp_config.args[3]",
                "$._meta[\"com.microsoft.windows\"].static_responses.initialize.serverInfo.name",
                "$._meta[\"com.microsoft.windows\"].static_responses.initialize.serverInfo.version", "$.tools[14].name");
        assertEquals(expectedPaths, errors.stream().map(e -> e.substring(0, e.indexOf(": "))).toList(), errors.toString());
        assertTrue(errors.get(4).contains("\"deno\" is not one of node, python, binary"));
        assertTrue(errors.get(5).contains("names no user_config option (declared: allowed_directories)"));
    }

    @Test
    void membersOfLaterVersionsAreErrorsWhenStrictAndWarningsWhenRunning() {
        ObjectNode m = fixture();
        m.put("manifest_version", "0.1");
        assertEquals(List.of("$._meta: '_meta' needs manifest_version 0.3 or later (this manifest says 0.1; mcpb rejects it)"),
                errors(m, true));
        assertEquals(List.of(), errors(m, false));
        assertFalse(ManifestValidator.validate(m, false).isEmpty(), "still a warning");
        m.put("manifest_version", "0.9");
        assertTrue(errors(m, false).get(0).startsWith("$.manifest_version: '0.9' is not a supported manifest version"));
    }

    @Test
    void userConfigOptionsAreCheckedWithTheirDefaults() throws Exception {
        ObjectNode m = fixture();
        ObjectNode options = (ObjectNode) m.get("user_config");
        options.putObject("port").put("type", "number").put("title", "Port").put("description", "d").put("default", "80");
        options.putObject("mode").put("type", "enum").put("title", "Mode");
        assertEquals(List.of("$.user_config.port.default: a number option's default must be a number, got \"80\"",
                "$.user_config.mode.type: \"enum\" is not one of string, number, boolean, directory, file",
                "$.user_config.mode.description: required"), errors(m, true));
    }

    @Test
    void loadingForARunThrowsOneLineNamingFilePathAndCount() throws Exception {
        ObjectNode m = fixture();
        m.remove("author");
        m.put("version", "one");
        Path file = temp.resolve("manifest.json");
        Files.writeString(file, JSON.writeValueAsString(m));
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(file));
        assertEquals(file + ": $.version: 'one' is not a semantic version (e.g. 1.2.3) (and 2 more: mcp-contain"
                + " manifest validate " + file + ")", e.getMessage());
        Files.writeString(file, "{\"name\":\"a\",\n\"name\":\"b\"}");
        e = assertThrows(ManifestException.class, () -> ManifestLoader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": $: not valid JSON: line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
