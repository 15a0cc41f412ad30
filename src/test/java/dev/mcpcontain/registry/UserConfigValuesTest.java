package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.manifest.Manifest;
import dev.mcpcontain.manifest.ManifestLoader;
import dev.mcpcontain.testing.Fixtures;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserConfigValuesTest {

    @TempDir
    Path temp;

    private Manifest manifest() throws Exception {
        ObjectNode tree = (ObjectNode) Fixtures.json(Fixtures.MANIFEST);
        ((ObjectNode) tree.get("user_config")).putObject("api_key").put("type", "string").put("title", "API key")
                .put("description", "the key").put("sensitive", true);
        Path file = temp.resolve("manifest.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(tree));
        return ManifestLoader.load(file);
    }

    @Test
    void aSensitiveValueIsNeverTakenFromTheCommandLine() throws Exception {
        Manifest manifest = manifest();
        RegistryException e = assertThrows(RegistryException.class, () -> UserConfigValues.split(manifest,
                List.of("api_key=sk-live-123"), new BufferedReader(new StringReader(""))));
        assertTrue(e.getMessage().contains("api_key=-"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-live-123"), "the refusal does not repeat the secret");
    }

    @Test
    void sensitiveFromStdinPlainFromTheCommandLine() throws Exception {
        UserConfigValues values = UserConfigValues.split(manifest(), List.of("allowed_directories=/a", "api_key=-"),
                new BufferedReader(new StringReader("sk-live-123\n")));
        assertEquals(Map.of("allowed_directories", List.of("/a")), values.plain());
        assertEquals(Map.of("api_key", List.of("sk-live-123")), values.secrets());
        assertThrows(RegistryException.class, () -> UserConfigValues.split(manifest(), List.of("api_key=-"),
                new BufferedReader(new StringReader(""))));
    }
}
