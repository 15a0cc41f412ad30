package dev.mcpcontain.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An MCP Registry {@code server.json} (schema 2025-09-29 and later): its stdio npm package, and what it says about
 * running it, turned into an MCPB manifest that {@code add} writes beside the installed package (so that the
 * manifest is part of the hashed code, and its {@code user_config} goes through the same checks and secrets path
 * as a bundle's). Pure: no file is written, nothing installed.
 *
 * <ul>
 * <li>{@code environmentVariables} become {@code user_config} options named like the variable
 *     ({@code isSecret}: sensitive, {@code isRequired}, {@code default}, {@code format}, {@code choices}), set in the
 *     server's environment; a fixed {@code value} is set as written, its {@code {variables}} becoming options.</li>
 * <li>{@code packageArguments}: a positional {@code value} as written, else an option named by its
 *     {@code valueHint} ({@code isRepeated}: several values); a named argument as {@code --flag VALUE}. An optional
 *     argument without value or default is left out. A secret argument is refused: it would be on the command line.</li>
 * <li>{@code runtimeArguments} are arguments of npx, which mcp-contain replaces with the installed package's
 *     {@code bin} (nothing is fetched at run time); with {@code runtimeHint} "node" they are node's options.</li>
 * </ul>
 *
 * @param file           where it was read
 * @param name           its {@code name} (reverse-DNS, one '/')
 * @param packageName    the npm package
 * @param packageVersion its exact version
 * @param manifest       the MCPB manifest, without {@code server} (it needs the installed bin)
 * @param nodeOptions    arguments for node before the script
 * @param args           the script's arguments, as manifest strings
 * @param env            the server's environment, as manifest strings
 * @param warnings       what was left out, for stderr
 */
public record RegistryServerJson(Path file, String name, String packageName, String packageVersion,
        ObjectNode manifest, List<String> nodeOptions, List<String> args, Map<String, String> env,
        List<String> warnings) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** For the manifest written beside the package: indented, for whoever reviews it. */
    public static final com.fasterxml.jackson.databind.ObjectWriter JSON_WRITER = JSON.writerWithDefaultPrettyPrinter();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+");
    private static final Pattern NPM_NAME = Pattern.compile("(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*");
    private static final Pattern EXACT_VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BRACES = Pattern.compile("\\{([A-Za-z0-9_-]+)\\}");
    private static final String NPM_REGISTRY = "https://registry.npmjs.org";

    public static boolean isSource(Path file) {
        return file.getFileName() != null && file.getFileName().toString().equals("server.json");
    }

    /** The last segment of the name, as a server identity source ({@code io.github.x/weather}: weather). */
    public String derivedName() {
        return name.substring(name.indexOf('/') + 1);
    }

    /** The whole MCPB manifest, its command {@code node} on {@code bin} (relative to the manifest's folder). */
    public ObjectNode manifestFor(String bin) {
        ObjectNode m = manifest.deepCopy();
        ObjectNode server = m.putObject("server");
        server.put("type", "node");
        server.put("entry_point", bin);
        ObjectNode config = server.putObject("mcp_config");
        config.put("command", "node");
        ArrayNode a = config.putArray("args");
        nodeOptions.forEach(a::add);
        a.add("${__dirname}/" + bin);
        args.forEach(a::add);
        ObjectNode e = config.putObject("env");
        env.forEach(e::put);
        return m;
    }

    public static RegistryServerJson parse(Path file, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new RegistryException(file + ": not valid JSON (" + m + ")");
        }
        if (root == null || !root.isObject()) {
            throw new RegistryException(file + ": expected a JSON object (an MCP Registry server.json)");
        }
        return new Reader(file).read(root);
    }

    private static final class Reader {
        private final Path file;
        private final List<String> warnings = new ArrayList<>();
        private final ObjectNode userConfig = JSON.createObjectNode();

        Reader(Path file) {
            this.file = file;
        }

        RegistryServerJson read(JsonNode root) {
            String name = text(root, "name", "name");
            if (!NAME.matcher(name).matches()) {
                throw error("name", "'" + name + "' is not NAMESPACE/NAME (reverse-DNS, one '/', e.g."
                        + " io.github.user/weather)");
            }
            String version = text(root, "version", "version");
            String description = root.path("description").isTextual() ? root.get("description").textValue()
                    : name;
            JsonNode pkg = choosePackage(root);
            String at = "packages[" + pkg.path("_index").asInt() + "]";
            String identifier = text(pkg, "identifier", at + ".identifier");
            if (!NPM_NAME.matcher(identifier).matches()) {
                throw error(at + ".identifier", "'" + identifier + "' is not an npm package name");
            }
            String packageVersion = text(pkg, "version", at + ".version");
            if (!EXACT_VERSION.matcher(packageVersion).matches()) {
                throw error(at + ".version", "'" + packageVersion + "' is not an exact version (a range or tag"
                        + " would install whatever is newest)");
            }
            if (pkg.has("registryBaseUrl")) {
                String base = pkg.get("registryBaseUrl").asText().replaceAll("/+$", "");
                if (!base.equals(NPM_REGISTRY)) {
                    throw error(at + ".registryBaseUrl", "'" + base + "': only the npm registry (" + NPM_REGISTRY
                            + ") is used; the package is installed from npm's configured registry, which could hold"
                            + " a different package of that name");
                }
            }
            List<String> nodeOptions = new ArrayList<>();
            String hint = pkg.path("runtimeHint").asText("npx");
            List<String> runtime = arguments(pkg, "runtimeArguments", at, false);
            if (hint.equals("node")) {
                nodeOptions.addAll(runtime);
            } else if (!hint.equals("npx")) {
                throw error(at + ".runtimeHint", "'" + hint + "': an npm package runs with node (npx or node)");
            } else if (!runtime.isEmpty()) {
                warnings.add(file + ": " + at + ".runtimeArguments " + runtime + " are npx's; left out (mcp-contain"
                        + " runs the installed package's bin with node, fetching nothing)");
            }
            List<String> args = arguments(pkg, "packageArguments", at, true);
            Map<String, String> env = environment(pkg, at);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("manifest_version", "0.3");
            manifest.put("name", name.substring(name.indexOf('/') + 1));
            manifest.put("display_name", name);
            manifest.put("version", EXACT_VERSION.matcher(version).matches() ? version : packageVersion);
            manifest.put("description", description.isBlank() ? name : description);
            manifest.putObject("author").put("name", name.substring(0, name.indexOf('/')));
            if (!userConfig.isEmpty()) {
                manifest.set("user_config", userConfig);
            }
            return new RegistryServerJson(file, name, identifier, packageVersion, manifest, nodeOptions, args, env,
                    warnings);
        }

        /** The first npm package with a stdio transport; a clear refusal naming what is there otherwise. */
        private JsonNode choosePackage(JsonNode root) {
            JsonNode packages = root.get("packages");
            if (packages == null || !packages.isArray() || packages.isEmpty()) {
                boolean remotes = root.path("remotes").isArray() && !root.get("remotes").isEmpty();
                throw error("packages", remotes ? "none, only remotes (servers reached over HTTP); mcp-contain"
                        + " runs stdio packages" : "missing or empty; an npm package with a stdio transport is needed");
            }
            List<String> found = new ArrayList<>();
            ObjectNode chosen = null;
            for (int i = 0; i < packages.size(); i++) {
                JsonNode p = packages.get(i);
                if (!p.isObject()) {
                    throw error("packages[" + i + "]", "expected an object");
                }
                String type = p.path("registryType").asText("?");
                String transport = p.path("transport").path("type").asText("?");
                found.add(type + " " + p.path("identifier").asText("?") + " (" + transport + ")");
                if (chosen == null && type.equals("npm") && transport.equals("stdio")) {
                    chosen = ((ObjectNode) p).deepCopy();
                    chosen.put("_index", i);
                } else if (chosen != null && type.equals("npm") && transport.equals("stdio")) {
                    warnings.add(file + ": packages[" + i + "] is another stdio npm package; the first one is used");
                }
            }
            if (chosen == null) {
                throw error("packages", "no npm package with a stdio transport (found: " + String.join(", ", found)
                        + ")");
            }
            return chosen;
        }

        private List<String> arguments(JsonNode pkg, String field, String at, boolean options) {
            List<String> out = new ArrayList<>();
            JsonNode list = pkg.get(field);
            if (list == null) {
                return out;
            }
            if (!list.isArray()) {
                throw error(at + "." + field, "expected a list");
            }
            for (int i = 0; i < list.size(); i++) {
                String where = at + "." + field + "[" + i + "]";
                JsonNode arg = list.get(i);
                if (!arg.isObject()) {
                    throw error(where, "expected an object");
                }
                String type = text(arg, "type", where + ".type");
                if (arg.path("isSecret").asBoolean(false)) {
                    throw error(where, "is secret, and an argument is on the command line (every local user sees"
                            + " it in the process list); mcp-contain passes secrets only as environment variables");
                }
                switch (type) {
                    case "positional" -> {
                        if (arg.has("value")) {
                            out.add(value(arg, where));
                        } else if (!arg.path("valueHint").isTextual()) {
                            throw error(where, "a positional argument needs a value or a valueHint");
                        } else if (!options) {
                            throw error(where, "a runtime argument needs a fixed value");
                        } else {
                            String key = key(arg.get("valueHint").textValue(), where + ".valueHint");
                            if (option(key, arg, where, arg.path("isRepeated").asBoolean(false))) {
                                out.add("${user_config." + key + "}");
                            }
                        }
                    }
                    case "named" -> {
                        String flag = text(arg, "name", where + ".name");
                        if (!flag.startsWith("-")) {
                            throw error(where + ".name", "'" + flag + "' is not a flag (it starts with '-')");
                        }
                        if (arg.has("value")) {
                            out.add(flag);
                            out.add(value(arg, where));
                        } else if (!options) {
                            throw error(where, "a runtime argument needs a fixed value");
                        } else {
                            String key = key(flag.replaceFirst("^-+", ""), where + ".name");
                            if (option(key, arg, where, false)) {
                                out.add(flag);
                                out.add("${user_config." + key + "}");
                            }
                        }
                    }
                    default -> throw error(where + ".type", "'" + type + "' is not positional or named");
                }
            }
            return out;
        }

        private Map<String, String> environment(JsonNode pkg, String at) {
            Map<String, String> env = new java.util.LinkedHashMap<>();
            JsonNode list = pkg.get("environmentVariables");
            if (list == null) {
                return env;
            }
            if (!list.isArray()) {
                throw error(at + ".environmentVariables", "expected a list");
            }
            for (int i = 0; i < list.size(); i++) {
                String where = at + ".environmentVariables[" + i + "]";
                JsonNode variable = list.get(i);
                if (!variable.isObject()) {
                    throw error(where, "expected an object");
                }
                String name = text(variable, "name", where + ".name");
                if (!ENV_NAME.matcher(name).matches()) {
                    throw error(where + ".name", "'" + name + "' is not an environment variable name");
                }
                if (env.containsKey(name)) {
                    throw error(where + ".name", "'" + name + "' appears twice");
                }
                if (variable.has("value")) {
                    env.put(name, value(variable, where));
                } else if (option(name, variable, where, false)) {
                    env.put(name, "${user_config." + name + "}");
                }
            }
            return env;
        }

        /** A fixed value; its {name} references become options from {@code variables}. */
        private String value(JsonNode input, String where) {
            JsonNode value = input.get("value");
            if (!value.isTextual()) {
                throw error(where + ".value", "expected a string, found " + value);
            }
            String text = value.textValue();
            if (text.contains("${")) {
                throw error(where + ".value", "'" + text + "' holds '${', which the manifest it becomes would read as"
                        + " a variable");
            }
            JsonNode variables = input.path("variables");
            Matcher m = BRACES.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                JsonNode definition = variables.get(m.group(1));
                if (definition == null) {
                    m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                    continue;
                }
                String key = key(m.group(1), where + ".variables." + m.group(1));
                if (definition.path("isSecret").asBoolean(false) && !where.contains("environmentVariables")) {
                    throw error(where + ".variables." + m.group(1), "is secret, and an argument is on the command"
                            + " line; mcp-contain passes secrets only as environment variables");
                }
                option(key, definition, where + ".variables." + m.group(1), false);
                m.appendReplacement(out, Matcher.quoteReplacement("${user_config." + key + "}"));
            }
            m.appendTail(out);
            return out.toString();
        }

        /**
         * Declares a user_config option for an input without a fixed value.
         *
         * @return false when the input is optional without default: it is then left out, and said so
         */
        private boolean option(String key, JsonNode input, String where, boolean multiple) {
            boolean required = input.path("isRequired").asBoolean(false);
            JsonNode dflt = input.get("default");
            if (!required && dflt == null && !input.path("isSecret").asBoolean(false) && !where.contains("environment")) {
                warnings.add(file + ": " + where + " is optional and has no default; left out of the command line");
                return false;
            }
            if (userConfig.has(key)) {
                throw error(where, "declares '" + key + "' again (each input needs its own name)");
            }
            String format = input.path("format").asText("string");
            String type = switch (format) {
                case "number" -> "number";
                case "boolean" -> "boolean";
                case "filepath" -> "file";
                case "string" -> "string";
                default -> throw error(where + ".format", "'" + format + "' is not string, number, boolean or"
                        + " filepath");
            };
            ObjectNode o = userConfig.putObject(key);
            o.put("type", type);
            o.put("title", key);
            String description = input.path("description").asText("");
            JsonNode choices = input.get("choices");
            if (choices != null && choices.isArray() && !choices.isEmpty()) {
                List<String> values = new ArrayList<>();
                choices.forEach(c -> values.add(c.asText()));
                description = (description.isEmpty() ? "" : description + " ") + "(one of: " + String.join(", ", values)
                        + ")";
            }
            o.put("description", description.isEmpty() ? key : description);
            o.put("required", required);
            if (input.path("isSecret").asBoolean(false)) {
                o.put("sensitive", true);
            }
            if (multiple) {
                o.put("multiple", true);
            }
            if (dflt != null) {
                if (!dflt.isTextual()) {
                    throw error(where + ".default", "expected a string, found " + dflt);
                }
                switch (type) {
                    case "number" -> {
                        try {
                            o.put("default", Double.parseDouble(dflt.textValue()));
                        } catch (NumberFormatException e) {
                            throw error(where + ".default", "'" + dflt.textValue() + "' is not a number");
                        }
                    }
                    case "boolean" -> {
                        if (!dflt.textValue().equals("true") && !dflt.textValue().equals("false")) {
                            throw error(where + ".default", "'" + dflt.textValue() + "' is not true or false");
                        }
                        o.put("default", Boolean.parseBoolean(dflt.textValue()));
                    }
                    default -> o.put("default", dflt.textValue());
                }
            }
            return true;
        }

        private String key(String raw, String where) {
            if (!raw.matches("[A-Za-z0-9_-]+")) {
                throw error(where, "'" + raw + "' cannot name a setting (letters, digits, '_' and '-')");
            }
            return raw;
        }

        private String text(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null) {
                throw error(where, "missing");
            }
            if (!v.isTextual() || v.textValue().isBlank()) {
                throw error(where, "expected a non-empty string, found " + v);
            }
            return v.textValue();
        }

        private RegistryException error(String field, String why) {
            return new RegistryException(file + ": " + field + ": " + why);
        }
    }
}
