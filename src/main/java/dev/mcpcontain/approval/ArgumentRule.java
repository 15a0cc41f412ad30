package dev.mcpcontain.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What one argument of a tool call must be for an approval entry to apply. Every part that is set must hold; an
 * argument a rule names must be present (a server's default for a missing argument is not ours to guess).
 *
 * @param under   a path argument must lie, once canonicalised, inside one of these: absolute directories, or
 *                {@code "grants"} for every folder the profile and the user granted the server
 * @param pattern a string argument must match this regular expression as a whole
 * @param values  the argument must equal one of these JSON values ({@code "enum"} in the profile)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArgumentRule(List<String> under, String pattern, @JsonProperty("enum") List<JsonNode> values) {

    public ArgumentRule {
        under = under == null ? null : List.copyOf(under);
        values = values == null ? null : List.copyOf(values);
    }
}
