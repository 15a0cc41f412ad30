package dev.mcpcontain.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces the values of sensitive variables wherever they appear in what the audit log records. Values shorter
 * than {@link #SUBSTRING_MINIMUM} are only replaced where a whole string equals them: replacing every "42" inside
 * unrelated text would make the log useless without protecting anything.
 */
public final class SecretRedactor {

    static final int SUBSTRING_MINIMUM = 4;

    private static final SecretRedactor NONE = new SecretRedactor(Map.of());

    /** value → variable name, longest values first so that a secret containing another is replaced whole. */
    private final List<Map.Entry<String, String>> secrets;

    private SecretRedactor(Map<String, String> valueToName) {
        this.secrets = valueToName.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed())
                .toList();
    }

    public static SecretRedactor none() {
        return NONE;
    }

    /** @param environment the server's (or host's) variables; only those named in {@code sensitive} count */
    public static SecretRedactor of(Map<String, String> environment, Set<String> sensitive) {
        Map<String, String> valueToName = new LinkedHashMap<>();
        for (String name : sensitive) {
            String value = environment.get(name);
            if (value != null && !value.isEmpty()) {
                valueToName.putIfAbsent(value, name);
            }
        }
        return new SecretRedactor(valueToName);
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (Map.Entry<String, String> secret : secrets) {
            String value = secret.getKey();
            if (value.length() >= SUBSTRING_MINIMUM) {
                if (result.contains(value)) {
                    result = result.replace(value, marker(secret.getValue()));
                }
            } else if (result.equals(value)) {
                return marker(secret.getValue());
            }
        }
        return result;
    }

    /** A redacted deep copy; the input is returned as is when there is nothing to hide. */
    public JsonNode redact(JsonNode node) {
        if (node == null || secrets.isEmpty()) {
            return node;
        }
        return copy(node);
    }

    private JsonNode copy(JsonNode node) {
        if (node.isTextual()) {
            String redacted = redact(node.textValue());
            return redacted.equals(node.textValue()) ? node : JsonNodeFactory.instance.textNode(redacted);
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                out.set(redact(field.getKey()), copy(field.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(copy(element)));
            return out;
        }
        return node;
    }

    private static String marker(String name) {
        return "<redacted:" + name + ">";
    }
}
