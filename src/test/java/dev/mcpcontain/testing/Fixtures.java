package dev.mcpcontain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The shared fixtures (src/test/resources/fixtures, copied from the project's reference material): a real MCPB
 * manifest of server-filesystem 2026.8.31 with Windows static_responses, and that server's real initialize and
 * tools/list responses.
 */
public final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String MANIFEST = "server-filesystem.manifest.json";
    public static final String RESPONSES = "server-filesystem-2026.8.31.responses.jsonl";

    private Fixtures() {}

    /** Copies a fixture into {@code dir} (manifests resolve ${__dirname} from where they are). */
    public static Path copy(String name, Path dir) {
        try (InputStream in = open(name)) {
            Path target = dir.resolve(name);
            Files.createDirectories(dir);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String name) {
        try (InputStream in = open(name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture manifest's static tools/list tool with this name. */
    public static JsonNode manifestTool(String tool) {
        for (JsonNode t : json(MANIFEST).path("_meta").path("com.microsoft.windows").path("static_responses")
                .path("tools/list").path("tools")) {
            if (t.path("name").asText().equals(tool)) {
                return t;
            }
        }
        throw new AssertionError("fixture manifest has no tool " + tool);
    }

    /** A fixture's lines (the JSONL responses: initialize, then tools/list). */
    public static java.util.List<String> lines(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name);
        if (in == null) {
            throw new AssertionError("missing test resource fixtures/" + name);
        }
        return in;
    }
}
