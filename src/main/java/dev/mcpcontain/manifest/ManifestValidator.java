package dev.mcpcontain.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an MCPB {@code manifest.json} (manifest_version 0.1 to 0.4, MANIFEST.md 0.3) and reports every problem
 * with its JSON path, not only the first.
 *
 * <p>Strict like the mcpb validator: every object rejects members it does not know, and members introduced by a
 * later manifest version are errors in an earlier one. With {@code strict} off ({@code run}), such version-gated
 * members are only warnings, as Windows appears to accept Microsoft's own sample with {@code _meta} in a 0.1
 * manifest. Windows' {@code _meta["com.microsoft.windows"]} is checked against the rules ODR states: static
 * responses shaped like the MCP results, name and version equal to serverInfo, every top-level tool listed.
 */
public final class ManifestValidator {

    static final List<String> VERSIONS = List.of("0.1", "0.2", "0.3", "0.4");
    private static final Set<String> FOLDER_VARIABLES = Set.of("HOME", "DESKTOP", "DOCUMENTS", "DOWNLOADS");
    private static final Set<String> PLAIN_VARIABLES = Set.of("__dirname", "/", "HOME", "DESKTOP", "DOCUMENTS",
            "DOWNLOADS");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)\\}");
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
            + "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    private static final Pattern URL = Pattern.compile("https?://[^\\s]+");
    private static final Pattern ICON_SIZE = Pattern.compile("[1-9][0-9]*x[1-9][0-9]*");
    private static final Pattern REVERSE_DNS = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)+");

    private final boolean strict;
    private final List<ManifestProblem> problems = new ArrayList<>();
    private String version = "0.4";

    private ManifestValidator(boolean strict) {
        this.strict = strict;
    }

    /** Every problem found, errors and warnings, in document order. */
    public static List<ManifestProblem> validate(JsonNode root, boolean strict) {
        ManifestValidator validator = new ManifestValidator(strict);
        validator.root(root);
        return List.copyOf(validator.problems);
    }

    /** Variables a server's folder requests come from. */
    static boolean isFolderVariable(String name) {
        return FOLDER_VARIABLES.contains(name);
    }

    // ---------------------------------------------------------------- root

    private void root(JsonNode root) {
        if (root == null || !root.isObject()) {
            error("$", "a manifest is a JSON object");
            return;
        }
        manifestVersion(root);
        Set<String> known = new LinkedHashSet<>(List.of("$schema", "manifest_version", "dxt_version", "name",
                "display_name", "version", "description", "long_description", "author", "repository", "homepage",
                "documentation", "support", "icon", "screenshots", "server", "tools", "tools_generated", "prompts",
                "prompts_generated", "keywords", "license", "compatibility", "user_config"));
        gated(root, "privacy_policies", "0.2", known);
        gated(root, "icons", "0.3", known);
        gated(root, "localization", "0.3", known);
        gated(root, "_meta", "0.3", known);
        unknownMembers(root, "$", known);

        requiredString(root, "$", "name");
        requiredString(root, "$", "description");
        JsonNode v = requiredString(root, "$", "version");
        if (v != null && !SEMVER.matcher(v.textValue()).matches()) {
            error("$.version", "'" + v.textValue() + "' is not a semantic version (e.g. 1.2.3)");
        }
        author(root.get("author"));
        for (String name : List.of("display_name", "long_description", "icon", "license", "$schema")) {
            optionalString(root, "$", name);
        }
        for (String name : List.of("homepage", "documentation", "support")) {
            optionalUrl(root, "$", name);
        }
        repository(root.get("repository"));
        stringArray(root, "$", "screenshots");
        stringArray(root, "$", "keywords");
        urlArray(root, "$", "privacy_policies");
        optionalBoolean(root, "$", "tools_generated");
        optionalBoolean(root, "$", "prompts_generated");
        icons(root.get("icons"));
        localization(root.get("localization"));
        compatibility(root.get("compatibility"));
        Set<String> userConfigKeys = userConfig(root.get("user_config"));
        server(root.get("server"), userConfigKeys);
        tools(root.get("tools"));
        prompts(root.get("prompts"));
        meta(root);
    }

    private void manifestVersion(JsonNode root) {
        JsonNode mv = root.get("manifest_version");
        JsonNode dxt = root.get("dxt_version");
        String path = "$.manifest_version";
        if (mv == null && dxt != null) {
            warning("$.dxt_version", "'dxt_version' is the old name of 'manifest_version'");
            mv = dxt;
            path = "$.dxt_version";
        } else if (mv != null && dxt != null) {
            error("$.dxt_version", "give either 'manifest_version' or its old name 'dxt_version', not both");
        }
        if (mv == null) {
            error("$.manifest_version", "required (one of " + String.join(", ", VERSIONS) + ")");
            return;
        }
        if (!mv.isTextual() || !VERSIONS.contains(mv.textValue())) {
            error(path, (mv.isTextual() ? "'" + mv.textValue() + "'" : text(mv)) + " is not a supported manifest version ("
                    + String.join(", ", VERSIONS) + ")");
            return;
        }
        version = mv.textValue();
        if (version.equals("0.4")) {
            warning(path, "manifest version 0.4 is experimental");
        }
    }

    /** A member introduced by a later version: known from then on, an error (strict) or warning before. */
    private void gated(JsonNode root, String name, String since, Set<String> known) {
        known.add(name);
        if (root.has(name) && version.compareTo(since) < 0) {
            String message = "'" + name + "' needs manifest_version " + since + " or later (this manifest says "
                    + version + "; mcpb rejects it)";
            if (strict) {
                error(JsonPath.member("$", name), message);
            } else {
                warning(JsonPath.member("$", name), message);
            }
        }
    }

    // ---------------------------------------------------------------- members

    private void author(JsonNode author) {
        if (author == null) {
            error("$.author", "required: {\"name\": ...}");
            return;
        }
        if (!object(author, "$.author")) {
            return;
        }
        unknownMembers(author, "$.author", Set.of("name", "email", "url"));
        requiredString(author, "$.author", "name");
        JsonNode email = optionalString(author, "$.author", "email");
        if (email != null && !email.textValue().matches("[^@\\s]+@[^@\\s]+")) {
            error("$.author.email", "'" + email.textValue() + "' is not an email address");
        }
        optionalUrl(author, "$.author", "url");
    }

    private void repository(JsonNode repository) {
        if (repository == null || !object(repository, "$.repository")) {
            return;
        }
        unknownMembers(repository, "$.repository", Set.of("type", "url"));
        requiredString(repository, "$.repository", "type");
        requiredString(repository, "$.repository", "url");
    }

    private void icons(JsonNode icons) {
        if (icons == null || !array(icons, "$.icons")) {
            return;
        }
        for (int i = 0; i < icons.size(); i++) {
            String path = JsonPath.index("$.icons", i);
            JsonNode icon = icons.get(i);
            if (!object(icon, path)) {
                continue;
            }
            unknownMembers(icon, path, Set.of("src", "size", "theme"));
            requiredString(icon, path, "src");
            JsonNode size = requiredString(icon, path, "size");
            if (size != null && !ICON_SIZE.matcher(size.textValue()).matches()) {
                error(path + ".size", "'" + size.textValue() + "' is not WIDTHxHEIGHT (e.g. 16x16)");
            }
            optionalString(icon, path, "theme");
        }
    }

    private void localization(JsonNode localization) {
        if (localization == null || !object(localization, "$.localization")) {
            return;
        }
        unknownMembers(localization, "$.localization", Set.of("resources", "default_locale"));
        optionalString(localization, "$.localization", "resources");
        optionalString(localization, "$.localization", "default_locale");
    }

    private void compatibility(JsonNode compatibility) {
        String path = "$.compatibility";
        if (compatibility == null || !object(compatibility, path)) {
            return;
        }
        unknownMembers(compatibility, path, Set.of("claude_desktop", "platforms", "runtimes"));
        optionalString(compatibility, path, "claude_desktop");
        JsonNode platforms = compatibility.get("platforms");
        if (platforms != null && array(platforms, path + ".platforms")) {
            for (int i = 0; i < platforms.size(); i++) {
                oneOf(platforms.get(i), JsonPath.index(path + ".platforms", i), List.of("darwin", "win32", "linux"));
            }
        }
        JsonNode runtimes = compatibility.get("runtimes");
        if (runtimes != null && object(runtimes, path + ".runtimes")) {
            unknownMembers(runtimes, path + ".runtimes", Set.of("python", "node"));
            optionalString(runtimes, path + ".runtimes", "python");
            optionalString(runtimes, path + ".runtimes", "node");
        }
    }

    private Set<String> userConfig(JsonNode userConfig) {
        Set<String> keys = new LinkedHashSet<>();
        if (userConfig == null || !object(userConfig, "$.user_config")) {
            return keys;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = userConfig.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            String path = JsonPath.member("$.user_config", key);
            keys.add(key);
            if (!key.matches("[A-Za-z0-9_-]+")) {
                warning(path, "key '" + key + "' cannot be named in --user-config KEY=VALUE (letters, digits, _ and -)");
            }
            JsonNode option = entry.getValue();
            if (!object(option, path)) {
                continue;
            }
            unknownMembers(option, path, Set.of("type", "title", "description", "required", "default", "multiple",
                    "sensitive", "min", "max"));
            JsonNode type = option.get("type");
            if (type == null) {
                error(path + ".type", "required (string, number, boolean, directory or file)");
            } else {
                oneOf(type, path + ".type", List.of("string", "number", "boolean", "directory", "file"));
            }
            requiredString(option, path, "title");
            requiredString(option, path, "description");
            optionalBoolean(option, path, "required");
            optionalBoolean(option, path, "multiple");
            optionalBoolean(option, path, "sensitive");
            optionalNumber(option, path, "min");
            optionalNumber(option, path, "max");
            String t = type == null ? "" : type.asText();
            boolean multiple = option.path("multiple").asBoolean(false);
            if (multiple && !t.equals("directory") && !t.equals("file")) {
                warning(path + ".multiple", "only directory and file options can take several values");
            }
            if ((option.has("min") || option.has("max")) && !t.equals("number")) {
                warning(path, "min and max only apply to number options");
            }
            JsonNode dflt = option.get("default");
            if (dflt != null) {
                defaultValue(dflt, path + ".default", t, multiple, keys);
            }
        }
        return keys;
    }

    private void defaultValue(JsonNode value, String path, String type, boolean multiple, Set<String> keys) {
        if (value.isArray() && multiple) {
            for (int i = 0; i < value.size(); i++) {
                defaultValue(value.get(i), JsonPath.index(path, i), type, false, keys);
            }
            return;
        }
        boolean fits = switch (type) {
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "string", "directory", "file" -> value.isTextual();
            default -> true;
        };
        if (!fits) {
            error(path, "a " + type + " option's default must be a " + (type.equals("number") || type.equals("boolean")
                    ? type : "string") + (multiple ? " or a list of them" : "") + ", got " + text(value));
        } else if (value.isTextual()) {
            variables(value.textValue(), path, Set.of());
        }
    }

    private void server(JsonNode server, Set<String> userConfigKeys) {
        if (server == null) {
            error("$.server", "required: {\"type\", \"entry_point\", \"mcp_config\"}");
            return;
        }
        if (!object(server, "$.server")) {
            return;
        }
        unknownMembers(server, "$.server", Set.of("type", "entry_point", "mcp_config"));
        JsonNode type = server.get("type");
        List<String> types = version.equals("0.4") ? List.of("node", "python", "binary", "uv")
                : List.of("node", "python", "binary");
        if (type == null) {
            error("$.server.type", "required (" + String.join(", ", types) + ")");
        } else {
            oneOf(type, "$.server.type", types);
        }
        requiredString(server, "$.server", "entry_point");
        JsonNode config = server.get("mcp_config");
        if (config == null) {
            error("$.server.mcp_config", "required: {\"command\", \"args\", \"env\"}");
            return;
        }
        mcpConfig(config, "$.server.mcp_config", userConfigKeys, true);
    }

    private void mcpConfig(JsonNode config, String path, Set<String> userConfigKeys, boolean base) {
        if (!object(config, path)) {
            return;
        }
        unknownMembers(config, path, base ? Set.of("command", "args", "env", "platform_overrides")
                : Set.of("command", "args", "env"));
        JsonNode command = base ? requiredString(config, path, "command") : optionalString(config, path, "command");
        if (command != null) {
            if (command.textValue().isBlank()) {
                error(path + ".command", "must not be empty");
            }
            variables(command.textValue(), path + ".command", userConfigKeys);
        }
        JsonNode args = config.get("args");
        if (args != null && array(args, path + ".args")) {
            for (int i = 0; i < args.size(); i++) {
                String argPath = JsonPath.index(path + ".args", i);
                if (string(args.get(i), argPath)) {
                    variables(args.get(i).textValue(), argPath, userConfigKeys);
                }
            }
        }
        JsonNode env = config.get("env");
        if (env != null && object(env, path + ".env")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                String envPath = JsonPath.member(path + ".env", entry.getKey());
                if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    error(envPath, "'" + entry.getKey() + "' is not an environment variable name");
                }
                if (string(entry.getValue(), envPath)) {
                    variables(entry.getValue().textValue(), envPath, userConfigKeys);
                }
            }
        }
        JsonNode overrides = base ? config.get("platform_overrides") : null;
        if (overrides != null && object(overrides, path + ".platform_overrides")) {
            unknownMembers(overrides, path + ".platform_overrides", Set.of("win32", "darwin", "linux"));
            for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                mcpConfig(entry.getValue(), JsonPath.member(path + ".platform_overrides", entry.getKey()),
                        userConfigKeys, false);
            }
        }
    }

    /** Every ${...} must be a variable MCPB defines, and ${user_config.KEY} a declared option. */
    private void variables(String text, String path, Set<String> userConfigKeys) {
        Matcher m = VARIABLE.matcher(text);
        int end = 0;
        while (m.find()) {
            String name = m.group(1);
            end = m.end();
            if (PLAIN_VARIABLES.contains(name)) {
                continue;
            }
            if (name.startsWith("user_config.")) {
                String key = name.substring("user_config.".length());
                if (!userConfigKeys.isEmpty() || path.startsWith("$.server")) {
                    if (!userConfigKeys.contains(key)) {
                        error(path, "'${" + name + "}' names no user_config option"
                                + (userConfigKeys.isEmpty() ? " (the manifest declares none)"
                                        : " (declared: " + String.join(", ", userConfigKeys) + ")"));
                    }
                }
                continue;
            }
            error(path, "unknown variable '${" + name + "}' (known: ${__dirname}, ${HOME}, ${DESKTOP}, ${DOCUMENTS},"
                    + " ${DOWNLOADS}, ${/}, ${user_config.KEY})");
        }
        if (text.indexOf("${", end) >= 0) {
            error(path, "'${' without a closing '}' in '" + text + "'");
        }
    }

    private void tools(JsonNode tools) {
        if (tools == null || !array(tools, "$.tools")) {
            return;
        }
        for (int i = 0; i < tools.size(); i++) {
            String path = JsonPath.index("$.tools", i);
            JsonNode tool = tools.get(i);
            if (!object(tool, path)) {
                continue;
            }
            unknownMembers(tool, path, Set.of("name", "description"));
            requiredString(tool, path, "name");
            optionalString(tool, path, "description");
        }
    }

    private void prompts(JsonNode prompts) {
        if (prompts == null || !array(prompts, "$.prompts")) {
            return;
        }
        for (int i = 0; i < prompts.size(); i++) {
            String path = JsonPath.index("$.prompts", i);
            JsonNode prompt = prompts.get(i);
            if (!object(prompt, path)) {
                continue;
            }
            unknownMembers(prompt, path, Set.of("name", "description", "arguments", "text"));
            requiredString(prompt, path, "name");
            optionalString(prompt, path, "description");
            stringArray(prompt, path, "arguments");
            requiredString(prompt, path, "text");
        }
    }

    // ---------------------------------------------------------------- _meta

    private void meta(JsonNode root) {
        JsonNode meta = root.get("_meta");
        if (meta == null || !object(meta, "$._meta")) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String path = JsonPath.member("$._meta", entry.getKey());
            if (!REVERSE_DNS.matcher(entry.getKey()).matches()) {
                warning(path, "_meta keys are reverse-DNS names (e.g. com.example.app)");
            }
            object(entry.getValue(), path);
        }
        JsonNode windows = meta.get("com.microsoft.windows");
        if (windows != null && windows.isObject()) {
            windowsMeta(root, windows, JsonPath.member("$._meta", "com.microsoft.windows"));
        }
    }

    private void windowsMeta(JsonNode root, JsonNode windows, String path) {
        for (Iterator<String> it = windows.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!name.equals("static_responses") && !name.equals("package_family_name")) {
                warning(JsonPath.member(path, name), "not a member Windows documents (static_responses,"
                        + " package_family_name)");
            }
        }
        if (windows.has("package_family_name")) {
            warning(path + ".package_family_name", "generated by Windows; a value given here is ignored");
        }
        JsonNode responses = windows.get("static_responses");
        if (responses == null || !object(responses, path + ".static_responses")) {
            return;
        }
        String rpath = path + ".static_responses";
        JsonNode initialize = responses.get("initialize");
        if (initialize != null && object(initialize, JsonPath.member(rpath, "initialize"))) {
            String ipath = JsonPath.member(rpath, "initialize");
            requiredString(initialize, ipath, "protocolVersion");
            JsonNode capabilities = initialize.get("capabilities");
            if (capabilities == null) {
                error(ipath + ".capabilities", "required");
            } else {
                object(capabilities, ipath + ".capabilities");
            }
            optionalString(initialize, ipath, "instructions");
            JsonNode serverInfo = initialize.get("serverInfo");
            if (serverInfo == null) {
                error(ipath + ".serverInfo", "required: {\"name\", \"version\"}");
            } else if (object(serverInfo, ipath + ".serverInfo")) {
                JsonNode name = requiredString(serverInfo, ipath + ".serverInfo", "name");
                JsonNode v = requiredString(serverInfo, ipath + ".serverInfo", "version");
                optionalString(serverInfo, ipath + ".serverInfo", "title");
                if (name != null && root.path("name").isTextual() && !name.equals(root.get("name"))) {
                    error(ipath + ".serverInfo.name", "'" + name.textValue() + "' differs from the manifest's name '"
                            + root.get("name").textValue() + "' (Windows requires them equal)");
                }
                if (v != null && root.path("version").isTextual() && !v.equals(root.get("version"))) {
                    error(ipath + ".serverInfo.version", "'" + v.textValue() + "' differs from the manifest's version '"
                            + root.get("version").textValue() + "' (Windows requires them equal)");
                }
            }
        }
        JsonNode list = responses.get("tools/list");
        if (list != null && object(list, JsonPath.member(rpath, "tools/list"))) {
            toolsList(root, list, JsonPath.member(rpath, "tools/list"));
        }
    }

    private void toolsList(JsonNode root, JsonNode list, String path) {
        JsonNode tools = list.get("tools");
        if (tools == null) {
            error(path + ".tools", "required: the tools/list result's tools");
            return;
        }
        if (!array(tools, path + ".tools")) {
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String tpath = JsonPath.index(path + ".tools", i);
            JsonNode tool = tools.get(i);
            if (!object(tool, tpath)) {
                continue;
            }
            JsonNode name = requiredString(tool, tpath, "name");
            if (name != null && !names.add(name.textValue())) {
                error(tpath + ".name", "tool '" + name.textValue() + "' is listed twice");
            }
            optionalString(tool, tpath, "title");
            requiredString(tool, tpath, "description");
            JsonNode input = tool.get("inputSchema");
            if (input == null) {
                error(tpath + ".inputSchema", "required (a JSON Schema object)");
            } else if (object(input, tpath + ".inputSchema") && !"object".equals(input.path("type").asText())) {
                error(tpath + ".inputSchema.type", "must be \"object\"");
            }
            JsonNode output = tool.get("outputSchema");
            if (output != null) {
                object(output, tpath + ".outputSchema");
            }
        }
        JsonNode declared = root.get("tools");
        if (declared != null && declared.isArray()) {
            for (int i = 0; i < declared.size(); i++) {
                JsonNode name = declared.get(i).get("name");
                if (name != null && name.isTextual() && !names.contains(name.textValue())) {
                    error(JsonPath.index("$.tools", i) + ".name", "tool '" + name.textValue()
                            + "' is not in static_responses[\"tools/list\"] (Windows requires every listed tool there)");
                }
            }
        }
    }

    // ---------------------------------------------------------------- primitives

    private void unknownMembers(JsonNode object, String path, Set<String> known) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!known.contains(name)) {
                error(JsonPath.member(path, name), "unknown member (known here: " + String.join(", ", known) + ")");
            }
        }
    }

    private JsonNode requiredString(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        if (value == null) {
            error(JsonPath.member(path, name), "required");
            return null;
        }
        if (!string(value, JsonPath.member(path, name))) {
            return null;
        }
        if (value.textValue().isBlank()) {
            error(JsonPath.member(path, name), "must not be empty");
            return null;
        }
        return value;
    }

    private JsonNode optionalString(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        return value != null && string(value, JsonPath.member(path, name)) ? value : null;
    }

    private void optionalUrl(JsonNode parent, String path, String name) {
        JsonNode value = optionalString(parent, path, name);
        if (value != null && !URL.matcher(value.textValue()).matches()) {
            error(JsonPath.member(path, name), "'" + value.textValue() + "' is not an http(s) URL");
        }
    }

    private void optionalBoolean(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        if (value != null && !value.isBoolean()) {
            error(JsonPath.member(path, name), "must be true or false, got " + text(value));
        }
    }

    private void optionalNumber(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        if (value != null && !value.isNumber()) {
            error(JsonPath.member(path, name), "must be a number, got " + text(value));
        }
    }

    private void stringArray(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        if (value != null && array(value, JsonPath.member(path, name))) {
            for (int i = 0; i < value.size(); i++) {
                string(value.get(i), JsonPath.index(JsonPath.member(path, name), i));
            }
        }
    }

    private void urlArray(JsonNode parent, String path, String name) {
        JsonNode value = parent.get(name);
        if (value != null && array(value, JsonPath.member(path, name))) {
            for (int i = 0; i < value.size(); i++) {
                String ipath = JsonPath.index(JsonPath.member(path, name), i);
                if (string(value.get(i), ipath) && !URL.matcher(value.get(i).textValue()).matches()) {
                    error(ipath, "'" + value.get(i).textValue() + "' is not an http(s) URL");
                }
            }
        }
    }

    private void oneOf(JsonNode value, String path, List<String> allowed) {
        if (!value.isTextual() || !allowed.contains(value.textValue())) {
            error(path, text(value) + " is not one of " + String.join(", ", allowed));
        }
    }

    private boolean object(JsonNode value, String path) {
        if (!value.isObject()) {
            error(path, "must be an object, got " + text(value));
            return false;
        }
        return true;
    }

    private boolean array(JsonNode value, String path) {
        if (!value.isArray()) {
            error(path, "must be a list, got " + text(value));
            return false;
        }
        return true;
    }

    private boolean string(JsonNode value, String path) {
        if (!value.isTextual()) {
            error(path, "must be a string, got " + text(value));
            return false;
        }
        return true;
    }

    private static String text(JsonNode value) {
        String json = value == null ? "nothing" : value.toString();
        return json.length() > 60 ? json.substring(0, 57) + "..." : json;
    }

    private void error(String path, String message) {
        problems.add(new ManifestProblem(path, message, true));
    }

    private void warning(String path, String message) {
        problems.add(new ManifestProblem(path, message, false));
    }
}
