package dev.mcpcontain.profile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.ApprovalEntry;
import dev.mcpcontain.approval.ArgumentRule;
import dev.mcpcontain.approval.DefaultApproval;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a profile strictly with Jackson's streaming parser: every unknown field, wrong type, duplicate key or
 * bad value is an error naming the file, the line and the field path. Streaming rather than data binding keeps
 * the launch fast (this runs before every server) and lets each error carry its own line.
 */
final class ProfileReader {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final String source;
    private final JsonParser parser;

    private ProfileReader(String source, JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    static Profile read(String source, byte[] content) {
        try (JsonParser parser = JSON.createParser(content)) {
            ProfileReader reader = new ProfileReader(source, parser);
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw reader.error("", "a profile is a JSON object");
            }
            Profile profile = reader.profile();
            if (parser.nextToken() != null) {
                throw reader.error("", "unexpected content after the profile's closing brace");
            }
            return profile;
        } catch (JsonParseException e) {
            throw new ProfileException(source + ":" + e.getLocation().getLineNr() + ": not valid JSON: "
                    + dev.mcpcontain.state.JsonProblems.describe(e).replaceFirst("^line \\d+, ", ""));
        } catch (IOException e) {
            throw new ProfileException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private Profile profile() throws IOException {
        String schema = null;
        String description = null;
        String parent = null;
        Profile.Isolation isolation = null;
        Profile.Network network = null;
        List<String> networkAllow = null;
        List<GrantSpec> grants = null;
        Profile.EnvSettings env = null;
        Profile.Limits limits = null;
        Profile.ToolRules tools = null;
        String agentUser = null;
        List<String> accept = null;
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField("", seen, "$schema", "description", "extends", "isolation", "network", "grants", "env",
                "limits", "tools", "agentUser", "accept")) != null; ) {
            switch (field) {
                case "$schema" -> schema = string(field);
                case "description" -> description = string(field);
                case "extends" -> parent = string(field);
                case "isolation" -> isolation = choice(field, Profile.Isolation.class, "full", "landlock", "reduced");
                case "network" -> {
                    networkAllow = networkAllow(field);
                    network = networkAllow != null ? Profile.Network.ALLOW_LIST : choiceOfCurrent(field);
                }
                case "grants" -> grants = grants(field);
                case "env" -> env = env(field);
                case "limits" -> limits = limits(field);
                case "tools" -> tools = tools(field);
                case "agentUser" -> agentUser = string(field);
                case "accept" -> accept = accept(field);
                default -> throw new IllegalStateException(field);
            }
        }
        if (agentUser != null && !agentUser.matches("[a-z_][a-z0-9_-]*")) {
            throw error("agentUser", "'" + agentUser + "' is not a user name");
        }
        return new Profile(schema, description, parent, isolation, network, grants, env, limits, tools, agentUser,
                networkAllow, accept);
    }

    /** "network": "none" | "host" | {"allow": [SPEC, ...]}; returns the specs, or null for the string forms. */
    private List<String> networkAllow(String path) throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.VALUE_STRING) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw error(path, "expected \"none\", \"host\" or {\"allow\": [HOST, ...]}, got " + describe(t));
        }
        List<String> allow = List.of();
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "allow")) != null; ) {
            String at = path + "." + field;
            expect(JsonToken.START_ARRAY, at, "an array of hosts");
            List<String> specs = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                String item = at + "[" + specs.size() + "]";
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    throw error(item, "expected a host string, got " + describe(parser.currentToken()));
                }
                try {
                    specs.add(dev.mcpcontain.network.HostSpec.parse(parser.getText()).toString());
                } catch (IllegalArgumentException e) {
                    throw error(item, e.getMessage());
                }
            }
            allow = specs;
        }
        return allow;
    }

    private Profile.Network choiceOfCurrent(String path) throws IOException {
        String value = parser.getText();
        return switch (value) {
            case "none" -> Profile.Network.NONE;
            case "host" -> Profile.Network.HOST;
            default -> throw error(path, "'" + value + "' is not one of none, host (or {\"allow\": [HOST, ...]})");
        };
    }

    /** Named weaknesses of landlock isolation the profile accepts: each must be a known open one, no repeats. */
    private List<String> accept(String path) throws IOException {
        List<String> names = strings(path, "[a-z0-9-]+", "a weakness name");
        for (int i = 0; i < names.size(); i++) {
            String why = dev.mcpcontain.policy.LandlockWeaknesses.whyNotAcceptable(names.get(i));
            if (why != null) {
                throw error(path + "[" + i + "]", why);
            }
            if (names.subList(0, i).contains(names.get(i))) {
                throw error(path + "[" + i + "]", "'" + names.get(i) + "' is listed twice");
            }
        }
        return names;
    }

    private Profile.EnvSettings env(String path) throws IOException {
        List<String> pass = null;
        Map<String, String> set = null;
        List<String> sensitive = null;
        expect(JsonToken.START_OBJECT, path, "an object");
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "pass", "set", "sensitive")) != null; ) {
            String at = path + "." + field;
            switch (field) {
                case "pass" -> pass = strings(at, "[A-Za-z_][A-Za-z0-9_]*", "a variable name");
                case "sensitive" -> sensitive = strings(at, "[A-Za-z_][A-Za-z0-9_]*", "a variable name");
                case "set" -> set = stringMap(at);
                default -> throw new IllegalStateException(field);
            }
        }
        return new Profile.EnvSettings(pass == null ? List.of() : pass, set == null ? Map.of() : set,
                sensitive == null ? List.of() : sensitive);
    }

    private Profile.Limits limits(String path) throws IOException {
        ByteSize memory = null;
        ByteSize fileSize = null;
        ByteSize tmpSize = null;
        ByteSize homeSize = null;
        Integer processes = null;
        Integer cpuSeconds = null;
        Integer openFiles = null;
        Double cpus = null;
        expect(JsonToken.START_OBJECT, path, "an object");
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "memory", "processes", "cpus", "cpuSeconds", "openFiles", "fileSize", "tmpSize", "homeSize")) != null; ) {
            String at = path + "." + field;
            switch (field) {
                case "memory" -> memory = size(at);
                case "fileSize" -> fileSize = size(at);
                case "tmpSize" -> tmpSize = size(at);
                case "homeSize" -> homeSize = size(at);
                case "processes" -> processes = integer(at, 1);
                case "cpuSeconds" -> cpuSeconds = integer(at, 1);
                case "openFiles" -> openFiles = integer(at, 16);
                case "cpus" -> {
                    JsonToken t = parser.nextToken();
                    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                        throw error(at, "expected a number of cores, got " + describe(t));
                    }
                    cpus = parser.getDoubleValue();
                    if (!(cpus > 0 && cpus <= 1024)) {
                        throw error(at, "must be above 0 and at most 1024, got " + parser.getText());
                    }
                }
                default -> throw new IllegalStateException(field);
            }
        }
        return new Profile.Limits(memory, processes, cpus, cpuSeconds, openFiles, fileSize, tmpSize, homeSize);
    }

    private Profile.ToolRules tools(String path) throws IOException {
        List<String> allow = null;
        List<String> deny = null;
        Map<String, ApprovalEntry> approval = null;
        DefaultApproval defaultApproval = null;
        expect(JsonToken.START_OBJECT, path, "an object");
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "allow", "deny", "approval", "defaultApproval")) != null; ) {
            String at = path + "." + field;
            switch (field) {
                case "allow" -> allow = strings(at, ".+", "a tool name");
                case "deny" -> deny = strings(at, ".+", "a tool name");
                case "approval" -> approval = approvals(at);
                case "defaultApproval" -> defaultApproval = choice(at, DefaultApproval.class, "allow", "ask", "annotations");
                default -> throw new IllegalStateException(field);
            }
        }
        return new Profile.ToolRules(allow == null ? List.of() : allow, deny == null ? List.of() : deny, approval,
                defaultApproval);
    }

    /** {@code "approval": {"NAME-or-glob": "allow"|"ask"|"deny" | {"decision": ..., "arguments": {...}}}}. */
    private Map<String, ApprovalEntry> approvals(String path) throws IOException {
        expect(JsonToken.START_OBJECT, path, "an object of TOOL: decision");
        Map<String, ApprovalEntry> entries = new LinkedHashMap<>();
        while (parser.nextToken() != JsonToken.END_OBJECT) {
            String name = parser.currentName();
            String at = path + "." + name;
            if (name.isEmpty()) {
                throw error(at, "a tool name or glob cannot be empty");
            }
            if (entries.containsKey(name)) {
                throw error(at, "duplicate field");
            }
            JsonToken t = parser.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                entries.put(name, ApprovalEntry.of(approvalChoice(at, parser.getText())));
            } else if (t == JsonToken.START_OBJECT) {
                entries.put(name, approvalEntry(at));
            } else {
                throw error(at, "expected \"allow\", \"ask\", \"deny\" or an object {decision, arguments}, got "
                        + describe(t));
            }
        }
        return entries;
    }

    private Approval approvalChoice(String path, String value) {
        return switch (value) {
            case "allow" -> Approval.ALLOW;
            case "ask" -> Approval.ASK;
            case "deny" -> Approval.DENY;
            default -> throw error(path, "'" + value + "' is not one of allow, ask, deny");
        };
    }

    private ApprovalEntry approvalEntry(String path) throws IOException {
        Approval decision = null;
        Map<String, ArgumentRule> arguments = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "decision", "arguments")) != null; ) {
            String at = path + "." + field;
            if (field.equals("decision")) {
                decision = approvalChoice(at, string(at));
            } else {
                expect(JsonToken.START_OBJECT, at, "an object of ARGUMENT: rule");
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    String argument = parser.currentName();
                    if (arguments.containsKey(argument)) {
                        throw error(at + "." + argument, "duplicate field");
                    }
                    arguments.put(argument, argumentRule(at + "." + argument));
                }
            }
        }
        if (decision == null) {
            throw error(path, "missing field 'decision' (allow, ask or deny)");
        }
        return new ApprovalEntry(decision, arguments);
    }

    /** {@code {"under": [...]}, {"pattern": "regex"}, {"enum": [...]}}, alone or together; nothing else. */
    private ArgumentRule argumentRule(String path) throws IOException {
        expect(JsonToken.START_OBJECT, path, "an object with under, pattern or enum");
        List<String> under = null;
        String pattern = null;
        List<com.fasterxml.jackson.databind.JsonNode> values = null;
        Set<String> seen = new HashSet<>();
        for (String field; (field = nextField(path, seen, "under", "pattern", "enum")) != null; ) {
            String at = path + "." + field;
            switch (field) {
                case "under" -> {
                    under = strings(at, ".+", "a folder");
                    for (int i = 0; i < under.size(); i++) {
                        String u = under.get(i);
                        if (!u.equals("grants") && (!java.nio.file.Path.of(u).isAbsolute() || u.contains(".."))) {
                            throw error(at + "[" + i + "]", "'" + u + "' is neither \"grants\" nor an absolute folder"
                                    + " without '..'");
                        }
                    }
                    if (under.isEmpty()) {
                        throw error(at, "needs at least one folder");
                    }
                }
                case "pattern" -> {
                    pattern = string(at);
                    try {
                        java.util.regex.Pattern.compile(pattern);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw error(at, "not a regular expression: " + e.getDescription());
                    }
                }
                case "enum" -> {
                    expect(JsonToken.START_ARRAY, at, "an array of values");
                    values = new ArrayList<>();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        JsonToken t = parser.currentToken();
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            throw error(at + "[" + values.size() + "]", "expected a string, number, boolean or null");
                        }
                        values.add(scalar(t));
                    }
                    if (values.isEmpty()) {
                        throw error(at, "needs at least one value");
                    }
                }
                default -> throw new IllegalStateException(field);
            }
        }
        if (seen.isEmpty()) {
            throw error(path, "an argument rule needs under, pattern or enum");
        }
        return new ArgumentRule(under, pattern, values);
    }

    private com.fasterxml.jackson.databind.JsonNode scalar(JsonToken t) throws IOException {
        var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        return switch (t) {
            case VALUE_STRING -> nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT -> nodes.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            default -> nodes.nullNode();
        };
    }

    private List<GrantSpec> grants(String path) throws IOException {
        expect(JsonToken.START_ARRAY, path, "an array of grants");
        List<GrantSpec> grants = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String at = path + "[" + grants.size() + "]";
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw error(at, "expected a grant string, got " + describe(parser.currentToken()));
            }
            try {
                grants.add(GrantSpec.parse(parser.getText()));
            } catch (IllegalArgumentException e) {
                throw error(at, e.getMessage());
            }
        }
        return grants;
    }

    /**
     * The next field name of the object being read, or null at its end; unknown and duplicate names are errors.
     * The caller reads the field's value before asking for the next one.
     */
    private String nextField(String path, Set<String> seen, String... known) throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        String name = parser.currentName();
        String at = path.isEmpty() ? name : path + "." + name;
        if (!List.of(known).contains(name)) {
            throw error(at, "unknown field (known: " + String.join(", ", new TreeSet<>(List.of(known))) + ")");
        }
        if (!seen.add(name)) {
            throw error(at, "duplicate field");
        }
        return name;
    }

    private String string(String path) throws IOException {
        JsonToken t = parser.nextToken();
        if (t != JsonToken.VALUE_STRING) {
            throw error(path, "expected a string, got " + describe(t));
        }
        return parser.getText();
    }

    private <E extends Enum<E>> E choice(String path, Class<E> type, String... names) throws IOException {
        String value = string(path);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(value)) {
                return type.getEnumConstants()[i];
            }
        }
        throw error(path, "'" + value + "' is not one of " + String.join(", ", names));
    }

    private Integer integer(String path, int minimum) throws IOException {
        JsonToken t = parser.nextToken();
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw error(path, "expected a whole number, got " + describe(t));
        }
        long value = parser.getLongValue();
        if (value < minimum || value > Integer.MAX_VALUE) {
            throw error(path, "must be at least " + minimum + ", got " + value);
        }
        return (int) value;
    }

    private ByteSize size(String path) throws IOException {
        JsonToken t = parser.nextToken();
        try {
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return new ByteSize(parser.getLongValue());
            }
            if (t == JsonToken.VALUE_STRING) {
                return ByteSize.parse(parser.getText());
            }
        } catch (IllegalArgumentException e) {
            throw error(path, e.getMessage());
        }
        throw error(path, "expected a size such as \"512M\", got " + describe(t));
    }

    private List<String> strings(String path, String pattern, String what) throws IOException {
        expect(JsonToken.START_ARRAY, path, "an array");
        List<String> values = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String at = path + "[" + values.size() + "]";
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw error(at, "expected a string, got " + describe(parser.currentToken()));
            }
            String value = parser.getText();
            if (!value.matches(pattern)) {
                throw error(at, "'" + value + "' is not " + what);
            }
            values.add(value);
        }
        return values;
    }

    private Map<String, String> stringMap(String path) throws IOException {
        expect(JsonToken.START_OBJECT, path, "an object of NAME: value");
        Map<String, String> map = new LinkedHashMap<>();
        while (parser.nextToken() != JsonToken.END_OBJECT) {
            String name = parser.currentName();
            String at = path + "." + name;
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw error(at, "'" + name + "' is not a variable name");
            }
            if (map.containsKey(name)) {
                throw error(at, "duplicate field");
            }
            map.put(name, string(at));
        }
        return map;
    }

    private void expect(JsonToken token, String path, String what) throws IOException {
        JsonToken t = parser.nextToken();
        if (t != token) {
            throw error(path, "expected " + what + ", got " + describe(t));
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of file";
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> t.toString();
        };
    }

    private ProfileException error(String path, String problem) {
        int line = parser.currentTokenLocation().getLineNr();
        return new ProfileException(source + ":" + line + ": " + (path.isEmpty() ? "" : "field '" + path + "': ")
                + problem);
    }
}
