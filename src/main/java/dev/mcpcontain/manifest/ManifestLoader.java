package dev.mcpcontain.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Reads a manifest file strictly (duplicate members are errors) and validates it. */
public final class ManifestLoader {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The outcome of reading and checking one file. */
    public record Checked(Path file, JsonNode tree, List<ManifestProblem> problems) {
        public boolean valid() {
            return problems.stream().noneMatch(ManifestProblem::error);
        }
    }

    /** A manifest is a few KiB; icons and code are beside it, not in it. */
    static final int MAX_SIZE = 16 << 20;

    private ManifestLoader() {}

    /** Reads and validates, never throws for a bad manifest: {@code manifest validate} reports all of it. */
    public static Checked check(Path file, boolean strict) {
        byte[] content;
        try {
            content = dev.mcpcontain.state.SmallFiles.read(file, MAX_SIZE);
        } catch (NoSuchFileException e) {
            return new Checked(file, null, List.of(new ManifestProblem("$", "file not found", true)));
        } catch (IOException e) {
            return new Checked(file, null, List.of(new ManifestProblem("$", "cannot read: " + e.getMessage(), true)));
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            return new Checked(file, null, List.of(new ManifestProblem("$", "not valid JSON: "
                    + dev.mcpcontain.state.JsonProblems.describe(e), true)));
        } catch (IOException e) {
            return new Checked(file, null, List.of(new ManifestProblem("$", "cannot read: " + e.getMessage(), true)));
        }
        return new Checked(file, tree, ManifestValidator.validate(tree, strict));
    }

    /**
     * Loads a manifest for running: warnings go to {@code warnings}; the first error is thrown as one line naming
     * the file and the JSON path.
     */
    public static Manifest load(Path file, Consumer<String> warnings) {
        Path absolute = file.toAbsolutePath().normalize();
        Checked checked = check(absolute, false);
        long errors = checked.problems().stream().filter(ManifestProblem::error).count();
        for (ManifestProblem problem : checked.problems()) {
            if (!problem.error()) {
                warnings.accept(problem.format(file.toString()));
            }
        }
        if (errors > 0) {
            ManifestProblem first = checked.problems().stream().filter(ManifestProblem::error).findFirst().orElseThrow();
            throw new ManifestException(first.format(file.toString()) + (errors > 1
                    ? " (and " + (errors - 1) + " more: mcp-contain manifest validate " + file + ")" : ""));
        }
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (IOException e) {
            real = absolute;
        }
        return new Manifest(real, real.getParent(), checked.tree());
    }

    public static Manifest load(Path file) {
        return load(file, w -> { });
    }
}
