package dev.mcpcontain.mediation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a tool call's arguments against the pinned {@code inputSchema} before the server sees them: types,
 * required members, enums and constants, array items, numeric and length bounds, {@code anyOf}/{@code oneOf}/
 * {@code allOf} and local {@code $ref}s. Keywords it does not know (format, pattern, ...) are left to the server;
 * the relay never rejects what it cannot judge.
 *
 * <p>One deliberate difference from plain JSON Schema: where an object schema declares {@code properties} and says
 * nothing about {@code additionalProperties}, a member it does not declare is rejected. SDKs built on zod drop
 * undeclared members silently (older versions said so with {@code additionalProperties: false}); a member the
 * tool never declared is at best ignored and at worst a side channel to undocumented behaviour. A schema that
 * wants free-form members says so with {@code additionalProperties: true} or a schema, or {@code patternProperties}.
 */
public final class ArgumentValidator {

    private static final int MAX_DEPTH = 64;
    private static final int MAX_PROBLEMS = 20;

    private ArgumentValidator() {}

    /** Problems found, each {@code path: what is wrong}; empty when the arguments are valid. */
    public static List<String> validate(JsonNode schema, JsonNode arguments) {
        List<String> problems = new ArrayList<>();
        new Run(schema, problems).check(schema, arguments, "arguments", 0);
        return problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems;
    }

    private static final class Run {
        private final JsonNode root;
        private final List<String> problems;

        Run(JsonNode root, List<String> problems) {
            this.root = root;
            this.problems = problems;
        }

        void check(JsonNode schema, JsonNode value, String path, int depth) {
            if (schema == null || problems.size() > MAX_PROBLEMS) {
                return;
            }
            if (depth > MAX_DEPTH) {
                problems.add(path + ": nested too deeply to check");
                return;
            }
            if (schema.isBoolean()) {
                if (!schema.booleanValue()) {
                    problems.add(path + ": not allowed by the schema");
                }
                return;
            }
            if (!schema.isObject()) {
                return;
            }
            JsonNode ref = schema.get("$ref");
            if (ref != null && ref.isTextual()) {
                JsonNode target = resolve(ref.textValue());
                if (target == null) {
                    return;
                }
                check(target, value, path, depth + 1);
            }
            if (!checkType(schema.get("type"), value, path)) {
                return;
            }
            checkEnum(schema, value, path);
            checkCombinators(schema, value, path, depth);
            if (value.isObject()) {
                checkObject(schema, value, path, depth);
            } else if (value.isArray()) {
                checkArray(schema, value, path, depth);
            } else if (value.isTextual()) {
                checkLength(schema, value.textValue().codePointCount(0, value.textValue().length()), path);
            } else if (value.isNumber()) {
                checkBounds(schema, value, path);
            }
        }

        private boolean checkType(JsonNode type, JsonNode value, String path) {
            if (type == null) {
                return true;
            }
            List<String> allowed = new ArrayList<>();
            if (type.isTextual()) {
                allowed.add(type.textValue());
            } else if (type.isArray()) {
                type.forEach(t -> allowed.add(t.asText()));
            } else {
                return true;
            }
            for (String t : allowed) {
                if (hasType(t, value)) {
                    return true;
                }
            }
            problems.add(path + ": expected " + String.join(" or ", allowed) + ", got " + typeOf(value));
            return false;
        }

        private void checkEnum(JsonNode schema, JsonNode value, String path) {
            JsonNode options = schema.get("enum");
            if (options != null && options.isArray()) {
                boolean found = false;
                for (JsonNode option : options) {
                    found |= same(option, value);
                }
                if (!found) {
                    problems.add(path + ": " + brief(value) + " is not one of " + brief(options));
                }
            }
            JsonNode constant = schema.get("const");
            if (constant != null && !same(constant, value)) {
                problems.add(path + ": must be " + brief(constant));
            }
        }

        private void checkCombinators(JsonNode schema, JsonNode value, String path, int depth) {
            JsonNode all = schema.get("allOf");
            if (all != null && all.isArray()) {
                all.forEach(branch -> check(branch, value, path, depth + 1));
            }
            for (String keyword : List.of("anyOf", "oneOf")) {
                JsonNode branches = schema.get(keyword);
                if (branches == null || !branches.isArray() || branches.isEmpty()) {
                    continue;
                }
                boolean matched = false;
                for (JsonNode branch : branches) {
                    List<String> trial = new ArrayList<>();
                    new Run(root, trial).check(branch, value, path, depth + 1);
                    if (trial.isEmpty()) {
                        matched = true;
                        break;
                    }
                }
                if (!matched) {
                    problems.add(path + ": matches none of the " + keyword + " alternatives");
                }
            }
        }

        private void checkObject(JsonNode schema, JsonNode value, String path, int depth) {
            JsonNode properties = schema.get("properties");
            JsonNode required = schema.get("required");
            if (required != null && required.isArray()) {
                for (JsonNode name : required) {
                    if (name.isTextual() && !value.has(name.textValue())) {
                        problems.add(path + ": missing required field '" + name.textValue() + "'");
                    }
                }
            }
            JsonNode additional = schema.get("additionalProperties");
            boolean declaresMembers = properties != null && properties.isObject();
            boolean openByPattern = schema.has("patternProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> member = it.next();
                String memberPath = path + "." + member.getKey();
                JsonNode declared = declaresMembers ? properties.get(member.getKey()) : null;
                if (declared != null) {
                    check(declared, member.getValue(), memberPath, depth + 1);
                } else if (additional != null && additional.isObject()) {
                    check(additional, member.getValue(), memberPath, depth + 1);
                } else if (additional != null && additional.isBoolean() && !additional.booleanValue()
                        || additional == null && declaresMembers && !openByPattern) {
                    problems.add(path + ": unexpected field '" + member.getKey() + "'"
                            + (declaresMembers ? " (the tool declares: " + String.join(", ", names(properties)) + ")" : ""));
                }
            }
        }

        private void checkArray(JsonNode schema, JsonNode value, String path, int depth) {
            JsonNode items = schema.get("items");
            if (items != null && items.isArray()) {
                for (int i = 0; i < Math.min(items.size(), value.size()); i++) {
                    check(items.get(i), value.get(i), path + "[" + i + "]", depth + 1);
                }
            } else if (items != null) {
                for (int i = 0; i < value.size(); i++) {
                    check(items, value.get(i), path + "[" + i + "]", depth + 1);
                }
            }
            bound(schema, "minItems", value.size(), path, true, "items");
            bound(schema, "maxItems", value.size(), path, false, "items");
        }

        private void checkLength(JsonNode schema, int length, String path) {
            bound(schema, "minLength", length, path, true, "characters");
            bound(schema, "maxLength", length, path, false, "characters");
        }

        private void bound(JsonNode schema, String keyword, int actual, String path, boolean minimum, String unit) {
            JsonNode limit = schema.get(keyword);
            if (limit != null && limit.isNumber()) {
                double l = limit.asDouble();
                if (minimum ? actual < l : actual > l) {
                    problems.add(path + ": has " + actual + " " + unit + ", " + (minimum ? "at least " : "at most ")
                            + limit.asText() + " allowed");
                }
            }
        }

        private void checkBounds(JsonNode schema, JsonNode value, String path) {
            double v = value.asDouble();
            JsonNode min = schema.get("minimum");
            JsonNode max = schema.get("maximum");
            JsonNode exMin = schema.get("exclusiveMinimum");
            JsonNode exMax = schema.get("exclusiveMaximum");
            // Draft 4 writes exclusiveMinimum: true next to minimum; later drafts give the bound itself.
            boolean minExclusive = exMin != null && exMin.isBoolean() && exMin.booleanValue();
            boolean maxExclusive = exMax != null && exMax.isBoolean() && exMax.booleanValue();
            if (min != null && min.isNumber() && (minExclusive ? v <= min.asDouble() : v < min.asDouble())) {
                problems.add(path + ": " + value.asText() + " is below the minimum " + min.asText());
            }
            if (max != null && max.isNumber() && (maxExclusive ? v >= max.asDouble() : v > max.asDouble())) {
                problems.add(path + ": " + value.asText() + " is above the maximum " + max.asText());
            }
            if (exMin != null && exMin.isNumber() && v <= exMin.asDouble()) {
                problems.add(path + ": " + value.asText() + " must be above " + exMin.asText());
            }
            if (exMax != null && exMax.isNumber() && v >= exMax.asDouble()) {
                problems.add(path + ": " + value.asText() + " must be below " + exMax.asText());
            }
        }

        /** Local references only ({@code #/definitions/x}, {@code #/$defs/x}); anything else is left unchecked. */
        private JsonNode resolve(String ref) {
            if (ref.equals("#")) {
                return root;
            }
            if (!ref.startsWith("#/")) {
                return null;
            }
            JsonNode node = root;
            for (String part : ref.substring(2).split("/", -1)) {
                String name = part.replace("~1", "/").replace("~0", "~");
                node = node == null ? null : node.get(name);
            }
            return node;
        }
    }

    static boolean hasType(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber()
                    || value.isNumber() && value.asDouble() == Math.rint(value.asDouble()) && !Double.isInfinite(value.asDouble());
            default -> true;
        };
    }

    private static String typeOf(JsonNode value) {
        if (value.isObject()) {
            return "object";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isTextual()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isNull()) {
            return "null";
        }
        return value.isIntegralNumber() ? "integer" : "number";
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String brief(JsonNode value) {
        String text = value.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
