package dev.mcpcontain.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The administrator's policy, {@code /etc/mcp-contain/policy.json}: what no user's command line, profile or
 * registry entry can get past. Pure decisions; every refusal names the file and the field.
 *
 * <p>Where it is read from cannot be chosen to escape it. The file must belong to root and be writable by nobody
 * else (nor may its folder), or nothing runs. {@value #OVERRIDE_VARIABLE} names another file only when the system
 * file does not exist, so an administrator's policy is always the one in force; where there is none, pointing at
 * another file can only add restrictions (the tests use it), and that file passes the same ownership checks.
 *
 * @param file                 where it was read; empty when no policy is in force
 * @param allowServers         registered names or globs; when present, nothing else runs (no ad-hoc commands)
 * @param forbidProfiles       profile names refused
 * @param forbidNetworkHost    host network refused
 * @param forbidIsolation      isolation modes refused
 * @param requireMediation     every run mediated; {@code --no-mediate} refused
 * @param requireSignedBundles bundles without a verified signature refused
 * @param denyGrants           folders never granted, nor any folder that holds them
 */
public record AdminPolicy(Optional<Path> file, Optional<List<String>> allowServers, List<String> forbidProfiles,
        boolean forbidNetworkHost, List<String> forbidIsolation, boolean requireMediation,
        boolean requireSignedBundles, List<Path> denyGrants) {

    public static final Path SYSTEM_FILE = Path.of("/etc/mcp-contain/policy.json");
    public static final String OVERRIDE_VARIABLE = "MCP_CONTAIN_POLICY";
    static final Set<String> FIELDS = Set.of("allowServers", "forbidProfiles", "forbidNetworkHost", "forbidIsolation",
            "requireMediation", "requireSignedBundles", "denyGrants");

    /** Built only when a policy file exists: a launch without one pays a stat, not data binding's start-up. */
    private static final class Json {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    }

    public static AdminPolicy none() {
        return new AdminPolicy(Optional.empty(), Optional.empty(), List.of(), false, List.of(), false, false, List.of());
    }

    public boolean inForce() {
        return file.isPresent();
    }

    /** The policy for this process: the system file, else the override where there is no system file, else none. */
    public static AdminPolicy forHost(HostEnvironment host) {
        if (host.windows()) {
            Path system = Path.of(host.variable("ProgramData").orElse("C:\\ProgramData"), "mcp-contain", "policy.json");
            return Files.exists(system) ? parse(system, read(system)) : none();
        }
        Optional<String> override = host.variable(OVERRIDE_VARIABLE);
        return load(SYSTEM_FILE, override.isPresent() ? Optional.of(Path.of(override.get())) : Optional.empty(), 0);
    }

    /**
     * @param system   the administrator's file
     * @param override honoured only when {@code system} does not exist
     * @param owner    the uid the file and its folder must belong to (root)
     */
    static AdminPolicy load(Path system, Optional<Path> override, int owner) {
        Path file;
        if (Files.exists(system, LinkOption.NOFOLLOW_LINKS)) {
            file = system;
        } else if (override.isPresent()) {
            file = override.get().toAbsolutePath();
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw PolicyException.refused(file + " (" + OVERRIDE_VARIABLE + "): no such policy file");
            }
        } else {
            return none();
        }
        requireTrusted(file, owner);
        return parse(file, read(file));
    }

    /** Owned by {@code owner}, not a link, not writable by group or others; the same for its folder. */
    static void requireTrusted(Path file, int owner) {
        for (Path p : List.of(file, file.getParent())) {
            try {
                if (Files.isSymbolicLink(p)) {
                    throw PolicyException.refused(file + ": " + p + " is a symlink; the policy must be a file owned by"
                            + " root (fix: replace the link with the file)");
                }
                Map<String, Object> attrs = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
                int uid = (Integer) attrs.get("uid");
                int mode = (Integer) attrs.get("mode");
                if (uid != owner) {
                    throw PolicyException.refused(file + ": " + p + " belongs to uid " + uid + ", not root; a policy"
                            + " anyone else can change is no policy (fix: chown root " + p + ")");
                }
                if ((mode & 022) != 0) {
                    throw PolicyException.refused(file + ": " + p + " is writable by group or others (mode "
                            + Integer.toOctalString(mode & 0777) + "); fix: chmod go-w " + p);
                }
            } catch (IOException e) {
                throw PolicyException.refused(file + ": cannot check its owner: " + e.getMessage());
            }
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw PolicyException.refused(file + ": no such policy file");
        } catch (IOException e) {
            throw PolicyException.refused(file + ": cannot read the admin policy: " + e.getMessage());
        }
    }

    /** Strict: unknown fields and wrong types are errors naming the file and the field. */
    public static AdminPolicy parse(Path file, byte[] content) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(content);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw PolicyException.refused(file + ": not valid JSON (" + m + ")");
        }
        if (root == null || !root.isObject()) {
            throw PolicyException.refused(file + ": expected a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw PolicyException.refused(file + ": unknown field '" + name + "' (known: "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        Optional<List<String>> allow = root.has("allowServers")
                ? Optional.of(strings(file, root, "allowServers")) : Optional.empty();
        List<String> isolation = strings(file, root, "forbidIsolation");
        for (String mode : isolation) {
            if (!Set.of("full", "landlock", "reduced").contains(mode)) {
                throw PolicyException.refused(file + ": forbidIsolation: '" + mode
                        + "' is not an isolation (full, landlock, reduced)");
            }
        }
        List<Path> deny = new ArrayList<>();
        for (String path : strings(file, root, "denyGrants")) {
            Path p = Path.of(path);
            if (!p.isAbsolute()) {
                throw PolicyException.refused(file + ": denyGrants: '" + path + "' is not an absolute path");
            }
            deny.add(p.normalize());
        }
        return new AdminPolicy(Optional.of(file), allow, strings(file, root, "forbidProfiles"),
                bool(file, root, "forbidNetworkHost"), isolation, bool(file, root, "requireMediation"),
                bool(file, root, "requireSignedBundles"), deny);
    }

    private static List<String> strings(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw PolicyException.refused(file + ": " + field + ": expected a list of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : node) {
            if (!v.isTextual() || v.textValue().isBlank()) {
                throw PolicyException.refused(file + ": " + field + ": expected a list of non-empty strings, found " + v);
            }
            values.add(v.textValue());
        }
        return List.copyOf(values);
    }

    private static boolean bool(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null) {
            return false;
        }
        if (!node.isBoolean()) {
            throw PolicyException.refused(file + ": " + field + ": expected true or false, found " + node);
        }
        return node.booleanValue();
    }

    private PolicyException refusal(String field, String what) {
        return PolicyException.refused(file.map(Path::toString).orElse("admin policy") + ": " + field + ": " + what);
    }

    /**
     * Which server may run at all.
     *
     * @param registered the registered server's name; empty for an ad-hoc command or {@code --manifest}
     * @param unsignedBundle the run's code is a bundle without a verified signature
     */
    public void checkServer(Optional<String> registered, boolean unsignedBundle) {
        if (allowServers.isPresent()) {
            if (registered.isEmpty()) {
                throw refusal("allowServers", "only registered servers may run (" + String.join(", ", allowServers.get())
                        + "); ad-hoc commands and manifests are refused (an administrator registers and allows them)");
            }
            if (allowServers.get().stream().noneMatch(glob -> glob(glob).matcher(registered.get()).matches())) {
                throw refusal("allowServers", "'" + registered.get() + "' is not among the allowed servers ("
                        + String.join(", ", allowServers.get()) + ")");
            }
        }
        if (requireSignedBundles && unsignedBundle) {
            throw refusal("requireSignedBundles", registered.map(n -> "'" + n + "'").orElse("this run")
                    + " is a bundle without a verified signature");
        }
    }

    public void checkProfile(String profile) {
        if (forbidProfiles.contains(profile)) {
            throw refusal("forbidProfiles", "profile '" + profile + "' is forbidden");
        }
    }

    /** Grant specs as given ({@code add}): the paths they name are checked again, resolved, at run time. */
    public void checkGrantPath(Path path) {
        Path p = path.toAbsolutePath().normalize();
        for (Path denied : denyGrants) {
            if (p.startsWith(denied) || denied.startsWith(p)) {
                throw refusal("denyGrants", p + (p.equals(denied) ? " is never granted"
                        : p.startsWith(denied) ? " is inside " + denied + ", which is never granted"
                        : " holds " + denied + ", which is never granted"));
            }
        }
    }

    /** The resolved policy of one run: profile, network, isolation, every granted or consented folder. */
    public void checkRun(ContainmentPolicy policy) {
        checkProfile(policy.profileName());
        if (forbidNetworkHost && policy.network() == Profile.Network.HOST) {
            throw refusal("forbidNetworkHost", "host network is refused for '" + policy.serverId() + "'");
        }
        String isolation = policy.isolation().name().toLowerCase(Locale.ROOT);
        if (forbidIsolation.contains(isolation)) {
            throw refusal("forbidIsolation", "isolation '" + isolation + "' is refused");
        }
        for (PathRule rule : policy.paths()) {
            if (rule.origin() == PathRule.Origin.GRANT || rule.origin() == PathRule.Origin.CONSENT) {
                checkGrantPath(rule.path());
                try {
                    checkGrantPath(rule.path().toRealPath());
                } catch (IOException e) {
                    // a missing folder is refused by the resolver itself
                }
            }
        }
    }

    /** @param explicit {@code --mediate}/{@code --no-mediate}; @return whether the run mediates */
    public boolean mediation(boolean decided, Optional<Boolean> explicit) {
        if (!requireMediation) {
            return decided;
        }
        if (explicit.isPresent() && !explicit.get()) {
            throw refusal("requireMediation", "every run is mediated; --no-mediate is refused");
        }
        return true;
    }

    /** For {@code check}: one line per field in force. */
    public List<String> describe() {
        if (file.isEmpty()) {
            return List.of("admin policy: none (" + SYSTEM_FILE + " does not exist)");
        }
        List<String> lines = new ArrayList<>();
        lines.add("admin policy: " + file.get());
        allowServers.ifPresent(a -> lines.add("  allowServers: " + String.join(", ", a)));
        if (!forbidProfiles.isEmpty()) {
            lines.add("  forbidProfiles: " + String.join(", ", forbidProfiles));
        }
        lines.add("  forbidNetworkHost: " + forbidNetworkHost);
        if (!forbidIsolation.isEmpty()) {
            lines.add("  forbidIsolation: " + String.join(", ", forbidIsolation));
        }
        lines.add("  requireMediation: " + requireMediation);
        lines.add("  requireSignedBundles: " + requireSignedBundles);
        if (!denyGrants.isEmpty()) {
            lines.add("  denyGrants: " + String.join(", ", denyGrants.stream().map(Path::toString).toList()));
        }
        return lines;
    }

    /**
     * The administrator's list of certificates that bundle signatures may chain to, besides the system trust store:
     * {@code bundle-signers.pem} beside the policy in force (beside {@link #SYSTEM_FILE} when none is). It must be
     * root's like the policy itself: a list anyone can write would let anyone vouch for a bundle.
     */
    public Optional<Path> bundleSignersFile() {
        Path dir = file.map(Path::getParent).orElse(SYSTEM_FILE.getParent());
        Path list = dir.resolve("bundle-signers.pem");
        if (!Files.exists(list, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!System.getProperty("os.name", "").startsWith("Windows")) {
            requireTrusted(list, 0);
        }
        return Optional.of(list);
    }

    /**
     * For {@code check --json}: the file and every field as in force ({@code allowServers} null when absent: every
     * name may run), or {@code "inForce": false} with the file that does not exist.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("inForce", file.isPresent());
        if (file.isEmpty()) {
            json.put("file", null);
            json.put("note", "no policy file (" + SYSTEM_FILE + " does not exist)");
            return json;
        }
        json.put("file", file.get().toString());
        json.put("allowServers", allowServers.orElse(null));
        json.put("forbidProfiles", forbidProfiles);
        json.put("forbidNetworkHost", forbidNetworkHost);
        json.put("forbidIsolation", forbidIsolation);
        json.put("requireMediation", requireMediation);
        json.put("requireSignedBundles", requireSignedBundles);
        json.put("denyGrants", denyGrants.stream().map(Path::toString).toList());
        return json;
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
