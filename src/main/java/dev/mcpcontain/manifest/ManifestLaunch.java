package dev.mcpcontain.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpcontain.consent.FolderRequest;
import dev.mcpcontain.policy.KnownFolderResolver;
import dev.mcpcontain.policy.ServerIdentity;
import dev.mcpcontain.profile.KnownFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a manifest asks to run, with its variables substituted: the command line, the environment it sets, the
 * server name, and the folders it asks for (which then need the user's consent). Pure: no file is touched.
 *
 * <p>Substitution follows MCPB: {@code ${__dirname}} is the manifest's directory, {@code ${HOME}},
 * {@code ${DESKTOP}}, {@code ${DOCUMENTS}}, {@code ${DOWNLOADS}} the user's folders, {@code ${/}} the separator,
 * {@code ${user_config.KEY}} the option's value (from {@code --user-config}, else its default). An argument that
 * is exactly {@code ${user_config.KEY}} of a {@code multiple} option becomes one argument per value.
 *
 * @param command     program and arguments
 * @param env         {@code NAME=VALUE} entries the manifest sets
 * @param sensitiveEnv variables whose value comes from a {@code sensitive} option
 * @param folders     folders the server asks for: path options, and folder variables in its command or environment
 * @param serverName  the server identity, from the manifest's name
 */
public record ManifestLaunch(List<String> command, List<String> env, Set<String> sensitiveEnv,
        List<FolderRequest> folders, String serverName) {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)\\}");

    /**
     * @param home             the user's home
     * @param workingDirectory where relative {@code --user-config} paths are resolved
     * @param knownFolders     resolves DESKTOP, DOCUMENTS, DOWNLOADS
     * @param platform         {@code linux}, {@code win32} or {@code darwin}: selects platform_overrides
     */
    public record Context(Path home, Path workingDirectory, KnownFolderResolver knownFolders, String platform) {

        public static String currentPlatform() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            return os.startsWith("windows") ? "win32" : os.startsWith("mac") ? "darwin" : "linux";
        }
    }

    public ManifestLaunch {
        command = List.copyOf(command);
        env = List.copyOf(env);
        sensitiveEnv = Set.copyOf(sensitiveEnv);
        folders = List.copyOf(folders);
    }

    /**
     * @param given values from {@code --user-config KEY=VALUE}, several for a multiple option
     * @throws ManifestException naming the option or JSON path when a value is missing or wrong
     */
    public static ManifestLaunch resolve(Manifest manifest, Map<String, List<String>> given, Context context) {
        return new Resolution(manifest, context).run(given);
    }

    /** The manifest's name as a server identity: lower-case, other characters as '-'. */
    public static String serverName(String manifestName) {
        String slug = manifestName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[^a-z0-9]+", "").replaceAll("-+$", "");
        if (slug.length() > 64) {
            slug = slug.substring(0, 64);
        }
        return ServerIdentity.validated(slug.isEmpty() ? "server" : slug);
    }

    private static final class Resolution {
        private final Manifest manifest;
        private final Context context;
        private final String file;
        private final Map<String, List<String>> values = new LinkedHashMap<>();
        private final Map<Path, FolderRequest> folders = new LinkedHashMap<>();

        Resolution(Manifest manifest, Context context) {
            this.manifest = manifest;
            this.context = context;
            this.file = manifest.file().toString();
        }

        ManifestLaunch run(Map<String, List<String>> given) {
            Map<String, Manifest.UserConfigOption> options = manifest.userConfig();
            for (String key : given.keySet()) {
                if (!options.containsKey(key)) {
                    throw new ManifestException("--user-config " + key + ": " + file + " has no user_config option '"
                            + key + "'" + (options.isEmpty() ? "" : " (it has: " + String.join(", ", options.keySet()) + ")"));
                }
            }
            for (Manifest.UserConfigOption option : options.values()) {
                values.put(option.key(), optionValues(option, given.get(option.key())));
            }
            Manifest.McpConfig config = manifest.mcpConfig(context.platform());
            String base = "$.server.mcp_config";
            List<String> command = new ArrayList<>();
            command.add(substitute(config.command(), base + ".command"));
            for (int i = 0; i < config.args().size(); i++) {
                String arg = config.args().get(i);
                String path = base + ".args[" + i + "]";
                Matcher whole = VARIABLE.matcher(arg);
                if (whole.matches() && whole.group(1).startsWith("user_config.")) {
                    command.addAll(values.get(whole.group(1).substring("user_config.".length())));
                } else {
                    command.add(substitute(arg, path));
                }
            }
            List<String> env = new ArrayList<>();
            Set<String> sensitive = new LinkedHashSet<>();
            for (Map.Entry<String, String> e : config.env().entrySet()) {
                String path = JsonPath.member(base + ".env", e.getKey());
                env.add(e.getKey() + "=" + substitute(e.getValue(), path));
                Matcher m = VARIABLE.matcher(e.getValue());
                while (m.find()) {
                    String name = m.group(1);
                    if (name.startsWith("user_config.")
                            && options.get(name.substring("user_config.".length())).sensitive()) {
                        sensitive.add(e.getKey());
                    }
                }
            }
            return new ManifestLaunch(command, env, sensitive, new ArrayList<>(folders.values()),
                    serverName(manifest.name()));
        }

        private List<String> optionValues(Manifest.UserConfigOption option, List<String> cli) {
            String path = JsonPath.member("$.user_config", option.key());
            List<String> raw = new ArrayList<>();
            boolean fromCli = cli != null && !cli.isEmpty();
            if (fromCli) {
                raw.addAll(cli);
            } else if (option.defaultValue().isPresent()) {
                JsonNode d = option.defaultValue().get();
                if (d.isArray()) {
                    d.forEach(v -> raw.add(v.asText()));
                } else {
                    raw.add(d.asText());
                }
            }
            if (raw.isEmpty() && option.required()) {
                throw new ManifestException(file + ": " + path + ": '" + option.title() + "' is required and has no"
                        + " default: pass --user-config " + option.key() + "=VALUE");
            }
            if (raw.size() > 1 && !option.multiple()) {
                throw new ManifestException("--user-config " + option.key() + ": takes one value, got " + raw.size());
            }
            List<String> resolved = new ArrayList<>();
            for (String value : raw) {
                String where = fromCli ? "--user-config " + option.key() + "=" + value : file + ": " + path + ".default";
                resolved.add(convert(option, value, where, fromCli));
            }
            return resolved;
        }

        private String convert(Manifest.UserConfigOption option, String value, String where, boolean fromCli) {
            switch (option.type()) {
                case "number" -> {
                    double number;
                    try {
                        number = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        throw new ManifestException(where + ": '" + value + "' is not a number");
                    }
                    if (option.min().isPresent() && number < option.min().get()
                            || option.max().isPresent() && number > option.max().get()) {
                        throw new ManifestException(where + ": " + value + " is outside " + option.min().map(String::valueOf)
                                .orElse("-inf") + ".." + option.max().map(String::valueOf).orElse("inf"));
                    }
                    return value;
                }
                case "boolean" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new ManifestException(where + ": '" + value + "' is not true or false");
                    }
                    return value;
                }
                case "directory", "file" -> {
                    String expanded = fromCli ? value : substitute(value, where, false);
                    Path p;
                    if (expanded.equals("~") || expanded.startsWith("~/")) {
                        p = context.home().resolve(expanded.length() <= 2 ? "" : expanded.substring(2));
                    } else {
                        p = context.workingDirectory().resolve(expanded);
                    }
                    p = p.toAbsolutePath().normalize();
                    request(p, "user_config." + option.key(), option.required());
                    return p.toString();
                }
                default -> {
                    return fromCli ? value : substitute(value, where, false);
                }
            }
        }

        /** Replaces the variables of one string; a folder variable also makes what follows it a folder request. */
        private String substitute(String text, String path) {
            return substitute(text, path, true);
        }

        private String substitute(String text, String path, boolean requestsFolders) {
            Matcher m = VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            int folderStart = -1;
            int last = 0;
            while (m.find()) {
                out.append(text, last, m.start());
                String name = m.group(1);
                if (folderStart < 0 && ManifestValidator.isFolderVariable(name)) {
                    folderStart = out.length();
                }
                out.append(value(name, path));
                last = m.end();
            }
            out.append(text, last, text.length());
            if (folderStart >= 0 && requestsFolders) {
                Path requested = Path.of(out.substring(folderStart));
                if (requested.isAbsolute()) {
                    request(requested.normalize(), path.startsWith("$") ? path.substring(2) : path, true);
                }
            }
            return out.toString();
        }

        private String value(String name, String path) {
            switch (name) {
                case "__dirname":
                    return manifest.directory().toString();
                case "/":
                    return java.io.File.separator;
                case "HOME":
                    return context.home().toString();
                case "DESKTOP":
                    return context.knownFolders().resolve(KnownFolder.DESKTOP).toString();
                case "DOCUMENTS":
                    return context.knownFolders().resolve(KnownFolder.DOCUMENTS).toString();
                case "DOWNLOADS":
                    return context.knownFolders().resolve(KnownFolder.DOWNLOADS).toString();
                default:
                    break;
            }
            if (name.startsWith("user_config.")) {
                String key = name.substring("user_config.".length());
                List<String> v = values.get(key);
                if (v == null) {
                    throw new ManifestException(file + ": " + path + ": '${" + name + "}' names no user_config option");
                }
                if (v.size() > 1) {
                    throw new ManifestException(file + ": " + path + ": '${" + name + "}' has " + v.size()
                            + " values; a multiple option must stand alone as an argument");
                }
                return v.isEmpty() ? "" : v.get(0);
            }
            throw new ManifestException(file + ": " + path + ": unknown variable '${" + name + "}'");
        }

        private void request(Path path, String by, boolean required) {
            FolderRequest existing = folders.get(path);
            if (existing == null) {
                folders.put(path, new FolderRequest(path, by, required));
            } else if (!existing.requestedBy().contains(by)) {
                folders.put(path, new FolderRequest(path, existing.requestedBy() + ", " + by,
                        existing.required() || required));
            } else if (required && !existing.required()) {
                folders.put(path, new FolderRequest(path, existing.requestedBy(), true));
            }
        }
    }
}
