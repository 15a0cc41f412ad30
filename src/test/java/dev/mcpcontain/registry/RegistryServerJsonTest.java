package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryServerJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FILE = Path.of("/srv/server.json");

    @TempDir
    Path temp;

    private static ObjectNode fixture(String name) throws IOException {
        try (InputStream in = RegistryServerJsonTest.class.getResourceAsStream("/fixtures/server-json/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    private static RegistryServerJson parse(JsonNode doc) throws IOException {
        return RegistryServerJson.parse(FILE, JSON.writeValueAsBytes(doc));
    }

    private static String error(JsonNode doc) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(doc);
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryServerJson.parse(FILE, bytes));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        return e.getMessage().substring(FILE.toString().length() + 2);
    }

    /** The manifest written for it passes the manifest loader (validation included). */
    private Manifest load(RegistryServerJson described, String bin) throws IOException {
        Path file = temp.resolve("manifest.json");
        Files.write(file, RegistryServerJson.JSON_WRITER.writeValueAsBytes(described.manifestFor(bin)));
        return ManifestLoader.load(file);
    }

    @Test
    void theFilesystemServerBecomesNodeOnItsBinWithARepeatedFolderOption() throws IOException {
        RegistryServerJson fs = parse(fixture("filesystem.server.json"));
        assertEquals("@modelcontextprotocol/server-filesystem", fs.packageName());
        assertEquals("2026.8.31", fs.packageVersion());
        assertEquals("filesystem", fs.derivedName());
        assertEquals(List.of("${user_config.allowed_directory}"), fs.args());
        assertEquals(List.of(FILE + ": packages[0].runtimeArguments [-y] are npx's; left out (mcp-contain runs the"
                + " installed package's bin with node, fetching nothing)"), fs.warnings());
        ObjectNode manifest = fs.manifestFor("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        assertEquals("node", manifest.at("/server/mcp_config/command").asText());
        assertEquals("${__dirname}/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
                manifest.at("/server/mcp_config/args/0").asText());
        Manifest loaded = load(fs, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        Manifest.UserConfigOption option = loaded.userConfig().get("allowed_directory");
        assertEquals("file", option.type());
        assertTrue(option.multiple() && option.required() && !option.sensitive());
    }

    @Test
    void environmentVariablesBecomeSettingsSecretsStayOffTheCommandLine() throws IOException {
        RegistryServerJson weather = parse(fixture("weather.server.json"));
        assertEquals("@example/weather-mcp", weather.packageName(), "the npm stdio package, not the pypi one");
        assertEquals(List.of("--transport", "stdio", "--port", "${user_config.port}"), weather.args());
        assertEquals(Map.of("OPENWEATHER_API_KEY", "${user_config.OPENWEATHER_API_KEY}", "UNITS",
                "${user_config.UNITS}", "WEATHER_MODE", "forecast"), weather.env());
        assertTrue(weather.warnings().contains(FILE + ": packages[1].packageArguments[2] is optional and has no"
                + " default; left out of the command line"), weather.warnings().toString());
        Manifest loaded = load(weather, "node_modules/@example/weather-mcp/index.js");
        Manifest.UserConfigOption key = loaded.userConfig().get("OPENWEATHER_API_KEY");
        assertTrue(key.sensitive() && key.required());
        assertEquals("number", loaded.userConfig().get("port").type());
        assertEquals("8080.0", loaded.userConfig().get("port").defaultValue().get().asText());
        assertEquals("metric", loaded.userConfig().get("UNITS").defaultValue().get().asText());
        String commandLine = weather.manifestFor("x.js").at("/server/mcp_config/args").toString();
        assertFalse(commandLine.contains("OPENWEATHER_API_KEY"), commandLine);
        assertEquals("weather", weather.manifest().path("name").asText());
        assertEquals("io.github.example", weather.manifest().at("/author/name").asText(), "the namespace");
    }

    @Test
    void invalidDocumentsAreRefusedNamingTheField() throws IOException {
        ObjectNode doc = fixture("filesystem.server.json");
        doc.remove("name");
        assertEquals("name: missing", error(doc));
        doc = fixture("filesystem.server.json");
        doc.put("name", "filesystem");
        assertEquals("name: 'filesystem' is not NAMESPACE/NAME (reverse-DNS, one '/', e.g. io.github.user/weather)",
                error(doc));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0")).put("version", "^2026.8.31");
        assertEquals("packages[0].version: '^2026.8.31' is not an exact version (a range or tag would install"
                + " whatever is newest)", error(doc));
        ((ObjectNode) doc.at("/packages/0")).put("version", "latest");
        assertTrue(error(doc).startsWith("packages[0].version: 'latest' is not an exact version"));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0")).put("registryBaseUrl", "https://npm.evil.example");
        assertTrue(error(doc).startsWith("packages[0].registryBaseUrl: 'https://npm.evil.example': only the npm"
                + " registry (https://registry.npmjs.org) is used"), error(doc));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0")).put("runtimeHint", "docker");
        assertEquals("packages[0].runtimeHint: 'docker': an npm package runs with node (npx or node)", error(doc));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0/packageArguments/0")).put("isSecret", true);
        assertEquals("packages[0].packageArguments[0]: is secret, and an argument is on the command line (every"
                + " local user sees it in the process list); mcp-contain passes secrets only as environment"
                + " variables", error(doc));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0")).putArray("environmentVariables").addObject().put("name", "BAD-NAME");
        assertEquals("packages[0].environmentVariables[0].name: 'BAD-NAME' is not an environment variable name",
                error(doc));
        doc = fixture("filesystem.server.json");
        ((ObjectNode) doc.at("/packages/0/packageArguments/0")).remove("valueHint");
        assertEquals("packages[0].packageArguments[0]: a positional argument needs a value or a valueHint",
                error(doc));
    }

    @Test
    void aDocumentWithoutAStdioNpmPackageIsRefusedNamingWhatIsThere() throws IOException {
        ObjectNode doc = fixture("weather.server.json");
        ArrayNode packages = (ArrayNode) doc.get("packages");
        ((ObjectNode) packages.get(1).get("transport")).put("type", "streamable-http");
        assertEquals("packages: no npm package with a stdio transport (found: pypi weather-mcp (stdio), npm"
                + " @example/weather-mcp (streamable-http))", error(doc));
        doc.remove("packages");
        assertEquals("packages: none, only remotes (servers reached over HTTP); mcp-contain runs stdio packages",
                error(doc));
        byte[] broken = "{\"name\": \"io.x/y\",".getBytes(StandardCharsets.UTF_8);
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryServerJson.parse(FILE, broken));
        assertTrue(e.getMessage().startsWith(FILE + ": not valid JSON ("), e.getMessage());
    }
}
