package dev.mcpcontain.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.pins.ToolSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated MCPB manifest: the parts the launcher acts on. Only built by {@link ManifestLoader} from a tree the
 * {@link ManifestValidator} found no errors in, so the accessors need no checks of their own.
 *
 * @param file      the manifest file, absolute
 * @param directory its directory, the value of {@code ${__dirname}}
 * @param tree      the whole document
 */
public record Manifest(Path file, Path directory, JsonNode tree) {

    /** The command for one platform: the base {@code mcp_config} with that platform's override applied. */
    public record McpConfig(String command, List<String> args, Map<String, String> env) {}

    /**
     * One {@code user_config} option.
     *
     * @param defaultValue absent, a scalar, or a list for a {@code multiple} option
     */
    public record UserConfigOption(String key, String type, String title, boolean required, boolean multiple,
            boolean sensitive, Optional<JsonNode> defaultValue, Optional<Double> min, Optional<Double> max) {

        public boolean isPath() {
            return type.equals("directory") || type.equals("file");
        }
    }

    public String name() {
        return tree.get("name").textValue();
    }

    public String version() {
        return tree.get("version").textValue();
    }

    public String manifestVersion() {
        JsonNode v = tree.has("manifest_version") ? tree.get("manifest_version") : tree.get("dxt_version");
        return v.textValue();
    }

    public McpConfig mcpConfig(String platform) {
        JsonNode base = tree.path("server").path("mcp_config");
        JsonNode override = base.path("platform_overrides").path(platform);
        String command = override.hasNonNull("command") ? override.get("command").textValue()
                : base.get("command").textValue();
        JsonNode args = override.has("args") ? override.get("args") : base.path("args");
        List<String> argList = new ArrayList<>();
        args.forEach(a -> argList.add(a.textValue()));
        Map<String, String> env = new LinkedHashMap<>();
        base.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().textValue()));
        override.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().textValue()));
        return new McpConfig(command, argList, env);
    }

    public Map<String, UserConfigOption> userConfig() {
        Map<String, UserConfigOption> options = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("user_config").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = e.getValue();
            options.put(e.getKey(), new UserConfigOption(
                    e.getKey(),
                    o.path("type").asText(),
                    o.path("title").asText(),
                    o.path("required").asBoolean(false),
                    o.path("multiple").asBoolean(false),
                    o.path("sensitive").asBoolean(false),
                    Optional.ofNullable(o.get("default")).filter(d -> !d.isNull()),
                    o.has("min") ? Optional.of(o.get("min").asDouble()) : Optional.empty(),
                    o.has("max") ? Optional.of(o.get("max").asDouble()) : Optional.empty()));
        }
        return options;
    }

    private JsonNode staticResponses() {
        return tree.path("_meta").path("com.microsoft.windows").path("static_responses");
    }

    /** The tools declared in {@code _meta["com.microsoft.windows"].static_responses["tools/list"]}. */
    public Optional<ToolSet> staticTools() {
        JsonNode tools = staticResponses().path("tools/list").get("tools");
        if (tools == null || !tools.isArray()) {
            return Optional.empty();
        }
        List<JsonNode> list = new ArrayList<>();
        tools.forEach(list::add);
        return Optional.of(ToolSet.of(list));
    }

    /** The serverInfo declared in the static {@code initialize} response. */
    public Optional<JsonNode> staticServerInfo() {
        return Optional.ofNullable(staticResponses().path("initialize").get("serverInfo"));
    }

    /** For messages: {@code the manifest's static_responses (/path/manifest.json)}. */
    public String staticToolsOrigin() {
        return "the manifest's static_responses (" + file + ")";
    }
}
