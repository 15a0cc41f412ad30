package dev.mcpcontain.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.policy.SecretVariables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code import} makes of one stdio entry, before anything is written: the command to register, its folder
 * arguments as grants, its environment split three ways, and the entry that replaces it in the host file.
 *
 * <ul>
 *   <li>Folder arguments (an existing absolute directory, alone or after {@code --option=}) become grants, read-write
 *       unless the command has {@code --read-only} / {@code --readonly}: the server was given the folder to work in.
 *   <li>Environment values the host resolves itself ({@code ${input:...}} in VS Code, {@code ${env:...}} in Cursor,
 *       {@code ${VAR}} in Claude Code) stay in the host file, so the host still prompts and substitutes; the
 *       registered server passes that variable through from mcp-contain's environment.
 *   <li>Values whose name says they hold a secret, or that carry a URL password, go to the secret store; the rest
 *       are registered as plain {@code --env NAME=VALUE}. Neither stays in the host file.
 * </ul>
 *
 * @param name      the registered name
 * @param slot      where the entry is
 * @param command   program and arguments, {@code ${workspaceFolder}} and {@code ${userHome}} resolved
 * @param cwd       the entry's {@code cwd}, when it has one
 * @param grants    {@code PATH:rw} / {@code PATH:ro}
 * @param env       registered {@code --env}: {@code NAME=VALUE} and pass-through {@code NAME}
 * @param secrets   sensitive values by variable name
 * @param rewritten the entry that runs {@code mcp-contain run NAME}
 */
public record EntryImport(String name, ServerSlot slot, List<String> command, Optional<Path> cwd, List<String> grants,
        List<String> env, Map<String, List<String>> secrets, ObjectNode rewritten) {

    private static final Set<String> READ_ONLY_FLAGS = Set.of("--read-only", "--readonly");
    private static final Pattern ANY_REFERENCE = Pattern.compile("\\$\\{([^}]*)\\}");

    public EntryImport withGrants(List<String> newGrants) {
        return new EntryImport(name, slot, command, cwd, List.copyOf(newGrants), env, secrets, rewritten);
    }

    /** An entry {@code import} leaves as it is, and why. */
    public record Skip(ServerSlot slot, String reason) {}

    /** Where the host runs: what {@code ${userHome}} and {@code ${workspaceFolder}} mean, which folders exist. */
    public record Context(Host host, Path home, Path workspace, Predicate<Path> isDirectory, String launcher,
            Map<String, String> stateEnv) {}

    /** The name to register under: the entry's key made a server name, a project entry prefixed by its folder. */
    public static String registryName(String prefix, ServerSlot slot) {
        String raw = slot.project() == null || slot.project().getFileName() == null ? slot.key()
                : slot.project().getFileName() + "-" + slot.key();
        String name = (prefix == null ? "" : prefix) + raw;
        name = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("-{2,}", "-")
                .replaceAll("\\.{2,}", ".").replaceAll("^[^a-z0-9]+", "").replaceAll("[-.]+$", "");
        if (name.length() > 64) {
            name = name.substring(0, 64).replaceAll("[-.]+$", "");
        }
        return name.isEmpty() ? "server" : name;
    }

    /** @return the import, or why the entry is left as it is */
    public static Object of(String name, ServerSlot slot, Context context) {
        ObjectNode entry = (ObjectNode) slot.entry();
        if (entry.has("envFile")) {
            return new Skip(slot, "it reads an envFile (" + entry.get("envFile").asText() + "), whose variables"
                    + " would reach mcp-contain but not the server; register it by hand with --env");
        }
        List<String> command = new ArrayList<>();
        command.add(entry.get("command").textValue());
        JsonNode args = entry.get("args");
        if (args != null && !args.isNull()) {
            if (!args.isArray()) {
                return new Skip(slot, "'args' is not an array");
            }
            for (JsonNode arg : args) {
                if (!arg.isValueNode() || arg.isNull()) {
                    return new Skip(slot, "'args' holds " + arg + ", not a string");
                }
                command.add(arg.asText());
            }
        }
        Optional<String> cwd = Optional.ofNullable(entry.get("cwd")).filter(JsonNode::isTextual)
                .map(JsonNode::textValue);
        for (int i = 0; i < command.size(); i++) {
            Object resolved = resolve(command.get(i), context);
            if (resolved instanceof Skip) {
                return new Skip(slot, ((Skip) resolved).reason());
            }
            command.set(i, (String) resolved);
        }
        Optional<Path> workingDirectory = Optional.empty();
        if (cwd.isPresent()) {
            Object resolved = resolve(cwd.get(), context);
            if (resolved instanceof Skip skip) {
                return new Skip(slot, skip.reason());
            }
            workingDirectory = Optional.of(Path.of((String) resolved));
        }
        boolean readOnly = command.stream().anyMatch(READ_ONLY_FLAGS::contains);
        List<String> grants = new ArrayList<>();
        for (String arg : command.subList(1, command.size())) {
            String candidate = arg.startsWith("-") && arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : arg;
            if (candidate.startsWith("/") || candidate.matches("[A-Za-z]:[\\\\/].*")) {
                Path folder = Path.of(candidate).normalize();
                if (context.isDirectory().test(folder)) {
                    String grant = folder + (readOnly ? ":ro" : ":rw");
                    if (!grants.contains(grant)) {
                        grants.add(grant);
                    }
                }
            }
        }
        List<String> env = new ArrayList<>();
        Map<String, List<String>> secrets = new LinkedHashMap<>();
        Map<String, String> kept = new LinkedHashMap<>();
        JsonNode environment = entry.get("env");
        if (environment != null && !environment.isNull()) {
            if (!(environment instanceof ObjectNode variables)) {
                return new Skip(slot, "'env' is not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = variables.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> variable = it.next();
                String key = variable.getKey();
                if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    return new Skip(slot, "env '" + key + "' is not a variable name");
                }
                if (variable.getValue().isNull()) {
                    continue; // VS Code: null removes an inherited variable; the contained server inherits none
                }
                if (!variable.getValue().isValueNode()) {
                    return new Skip(slot, "env '" + key + "' is not a string");
                }
                String value = variable.getValue().asText();
                if (context.host().hostResolves(value)) {
                    kept.put(key, value);
                    env.add(key);
                } else if (SecretVariables.looksSecret(key, value)) {
                    secrets.put(key, List.of(value));
                } else {
                    env.add(key + "=" + value);
                }
            }
        }
        return new EntryImport(name, slot, List.copyOf(command), workingDirectory, List.copyOf(grants), List.copyOf(env),
                secrets, rewrite(entry, name, kept, context));
    }

    /**
     * {@code ${userHome}} and, in a project file, {@code ${workspaceFolder}} are fixed paths and are resolved now;
     * any other reference in the command depends on the moment the host starts the server, which a registered
     * command cannot follow.
     */
    private static Object resolve(String value, Context context) {
        if (!context.host().hostResolves(value)) {
            return value;
        }
        Matcher m = ANY_REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            String replacement;
            if (variable.equals("userHome")) {
                replacement = context.home().toString();
            } else if ((variable.equals("workspaceFolder") || variable.equals("workspaceRoot"))
                    && context.workspace() != null) {
                replacement = context.workspace().toString();
            } else if (variable.equals("pathSeparator") || variable.equals("/")) {
                replacement = "/";
            } else {
                return new Skip(null, "its command uses ${" + variable + "}, which " + context.host().id()
                        + " resolves at each start; a registered command is fixed (replace it by a value, or"
                        + " pass it in 'env')");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The original entry's keys in their order, with command, args and env replaced. */
    static ObjectNode rewrite(ObjectNode entry, String name, Map<String, String> keptEnv, Context context) {
        ObjectNode out = HostConfigFile.JSON.createObjectNode();
        Map<String, String> env = new LinkedHashMap<>(keptEnv);
        context.stateEnv().forEach(env::putIfAbsent);
        boolean hasArgs = entry.has("args");
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            switch (field.getKey()) {
                case "command" -> {
                    out.put("command", context.launcher());
                    if (!hasArgs) {
                        out.set("args", runArgs(name));
                    }
                }
                case "args" -> out.set("args", runArgs(name));
                case "env" -> {
                    if (!env.isEmpty()) {
                        putEnv(out, env);
                    }
                }
                default -> out.set(field.getKey(), field.getValue());
            }
        }
        if (!entry.has("env") && !env.isEmpty()) {
            putEnv(out, env);
        }
        return out;
    }

    /** The entry {@code connect} writes: a host file's form of {@code mcp-contain run NAME}. */
    public static ObjectNode connectEntry(String name, Context context) {
        ObjectNode out = HostConfigFile.JSON.createObjectNode();
        if (context.host().writesType()) {
            out.put("type", "stdio");
        }
        out.put("command", context.launcher());
        out.set("args", runArgs(name));
        if (!context.stateEnv().isEmpty()) {
            putEnv(out, context.stateEnv());
        }
        return out;
    }

    private static void putEnv(ObjectNode entry, Map<String, String> env) {
        ObjectNode object = entry.putObject("env");
        env.forEach(object::put);
    }

    private static ArrayNode runArgs(String name) {
        ArrayNode args = HostConfigFile.JSON.createArrayNode();
        args.add("run");
        args.add(name);
        return args;
    }
}
