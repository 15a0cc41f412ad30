package dev.mcpcontain.approval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The profile's half of a tool-call decision: which entry applies, whether the call's arguments keep to its rules,
 * and what the default says. Pure: no store, no asking (see the relay's approval stage for those).
 *
 * <p>An entry naming the tool exactly wins over globs; among globs the first in the profile wins. A call whose
 * arguments break the entry's rules is denied whatever the entry's decision, so a rule can never widen access.
 */
public final class ApprovalPolicy {

    /**
     * @param approval what the profile says
     * @param source   which part of the profile said it, for the audit log and messages
     * @param problem  the broken argument rule when the call is denied for one, else null
     */
    public record Decision(Approval approval, String source, String problem) {}

    private final ApprovalRules rules;
    private final List<Path> grants;
    private final List<Map.Entry<Pattern, Map.Entry<String, ApprovalEntry>>> globs = new ArrayList<>();

    /** @param grants every folder granted to the server, for {@code "under": ["grants"]} */
    public ApprovalPolicy(ApprovalRules rules, List<Path> grants) {
        this.rules = rules;
        this.grants = List.copyOf(grants);
        for (Map.Entry<String, ApprovalEntry> e : rules.approval().entrySet()) {
            if (isGlob(e.getKey())) {
                globs.add(Map.entry(glob(e.getKey()), e));
            }
        }
    }

    public static ApprovalPolicy allowAll() {
        return new ApprovalPolicy(ApprovalRules.allowAll(), List.of());
    }

    public ApprovalRules rules() {
        return rules;
    }

    public boolean allowsEverything() {
        return rules.allowsEverything();
    }

    static boolean isGlob(String name) {
        return name.indexOf('*') >= 0 || name.indexOf('?') >= 0;
    }

    static Pattern glob(String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : name.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * @param tool       the tool's name as the host sent it
     * @param definition the pinned definition (for annotations), may be null
     * @param arguments  the call's arguments (an object; null counts as empty)
     */
    public Decision decide(String tool, JsonNode definition, JsonNode arguments) {
        Optional<Map.Entry<String, ApprovalEntry>> entry = entry(tool);
        if (entry.isPresent()) {
            String source = "profile tools.approval['" + entry.get().getKey() + "']";
            for (Map.Entry<String, ArgumentRule> rule : entry.get().getValue().arguments().entrySet()) {
                JsonNode value = arguments == null ? null : arguments.get(rule.getKey());
                Optional<String> problem = check(rule.getKey(), rule.getValue(), value);
                if (problem.isPresent()) {
                    return new Decision(Approval.DENY, source, problem.get());
                }
            }
            return new Decision(entry.get().getValue().decision(), source, null);
        }
        return switch (rules.defaultApproval()) {
            case ALLOW -> new Decision(Approval.ALLOW, "profile defaultApproval allow", null);
            case ASK -> new Decision(Approval.ASK, "profile defaultApproval ask", null);
            case ANNOTATIONS -> byAnnotations(definition);
        };
    }

    private static Decision byAnnotations(JsonNode definition) {
        JsonNode hints = definition == null ? null : definition.get("annotations");
        if (hints != null && hints.path("destructiveHint").asBoolean(false)) {
            return new Decision(Approval.ASK, "profile defaultApproval annotations (destructiveHint)", null);
        }
        if (hints != null && hints.path("readOnlyHint").asBoolean(false)) {
            return new Decision(Approval.ALLOW, "profile defaultApproval annotations (readOnlyHint)", null);
        }
        return new Decision(Approval.ASK, "profile defaultApproval annotations (no read-only hint)", null);
    }

    private Optional<Map.Entry<String, ApprovalEntry>> entry(String tool) {
        ApprovalEntry exact = isGlob(tool) ? null : rules.approval().get(tool);
        if (exact != null) {
            return Optional.of(Map.entry(tool, exact));
        }
        for (Map.Entry<Pattern, Map.Entry<String, ApprovalEntry>> g : globs) {
            if (g.getKey().matcher(tool).matches()) {
                return Optional.of(g.getValue());
            }
        }
        return Optional.empty();
    }

    /** Why the value breaks the rule, or empty when it keeps to it. Messages never repeat the value itself. */
    private Optional<String> check(String name, ArgumentRule rule, JsonNode value) {
        if (value == null || value.isNull()) {
            return Optional.of("argument '" + name + "' is required by the profile's rule for this tool");
        }
        if (rule.values() != null && rule.values().stream().noneMatch(v -> sameValue(v, value))) {
            return Optional.of("argument '" + name + "' is not one of the values the profile allows");
        }
        if (rule.pattern() != null && (!value.isTextual() || !Pattern.compile(rule.pattern()).matcher(value.textValue())
                .matches())) {
            return Optional.of("argument '" + name + "' does not match the profile's pattern");
        }
        if (rule.under() != null) {
            if (!value.isTextual()) {
                return Optional.of("argument '" + name + "' is not a path");
            }
            Optional<String> problem = PathCheck.problem(value.textValue(), roots(rule.under()));
            if (problem.isPresent()) {
                return Optional.of("argument '" + name + "' " + problem.get());
            }
        }
        return Optional.empty();
    }

    /** JSON equality, numbers by value (1, 1.0 and 1e0 are the same argument). */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private List<Path> roots(List<String> under) {
        List<Path> roots = new ArrayList<>();
        for (String u : under) {
            if (u.equals("grants")) {
                roots.addAll(grants);
            } else {
                roots.add(Path.of(u));
            }
        }
        return roots;
    }

    /** Canonical containment of a path in a set of directories: no {@code ..}, symlinks resolved on the host. */
    static final class PathCheck {

        private PathCheck() {}

        static Optional<String> problem(String text, List<Path> roots) {
            Path path;
            try {
                path = Path.of(text);
            } catch (InvalidPathException e) {
                return Optional.of("is not a valid path");
            }
            if (!path.isAbsolute()) {
                return Optional.of("is not an absolute path");
            }
            for (Path part : path) {
                if (part.toString().equals("..")) {
                    return Optional.of("contains '..'");
                }
            }
            Optional<Path> real = canonical(path.normalize());
            if (real.isEmpty()) {
                return Optional.of("cannot be resolved (a dangling symlink or an unreadable folder)");
            }
            for (Path root : roots) {
                try {
                    if (real.get().startsWith(root.toRealPath())) {
                        return Optional.empty();
                    }
                } catch (IOException e) {
                    // A root that does not exist contains nothing.
                }
            }
            return Optional.of("is outside the folders the profile allows for it");
        }

        /** The path with every existing part's symlinks resolved; parts that do not exist yet appended as they are. */
        private static Optional<Path> canonical(Path path) {
            Path existing = path;
            List<Path> rest = new ArrayList<>();
            while (existing != null && !Files.exists(existing)) {
                if (Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.empty();
                }
                rest.add(0, existing.getFileName());
                existing = existing.getParent();
            }
            if (existing == null) {
                return Optional.empty();
            }
            try {
                Path real = existing.toRealPath();
                for (Path part : rest) {
                    real = real.resolve(part);
                }
                return Optional.of(real);
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
