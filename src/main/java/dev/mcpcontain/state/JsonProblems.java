package dev.mcpcontain.state;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;

/**
 * Jackson's messages name its own classes, tokens and a "[Source: REDACTED ...]" location; a user needs the line,
 * the field and what was wrong. One wording for every JSON file mcp-contain reads (profiles, pins, consents,
 * manifests, messages).
 */
public final class JsonProblems {

    private JsonProblems() {}

    /** "line 3, column 7: field 'limits.memory': expected a string" and the like, in one line. */
    public static String describe(JsonProcessingException e) {
        StringBuilder text = new StringBuilder();
        JsonLocation where = e.getLocation();
        if (where != null && where.getLineNr() > 0) {
            text.append("line ").append(where.getLineNr()).append(", column ").append(where.getColumnNr()).append(": ");
        }
        String field = e instanceof JsonMappingException mapping ? field(mapping) : "";
        if (!field.isEmpty()) {
            text.append("field '").append(field).append("': ");
        }
        text.append(what(e));
        return text.toString();
    }

    private static String what(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field";
        }
        if (e instanceof InvalidFormatException format) {
            return "bad value '" + format.getValue() + "'";
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return "expected " + kind(mismatched.getTargetType());
        }
        String message = e.getOriginalMessage();
        if (message == null) {
            return "not valid JSON";
        }
        int newline = message.indexOf('\n');
        message = newline < 0 ? message : message.substring(0, newline);
        // Parser messages are plain enough but for token names and code points ("(code 120)").
        return message
                .replaceAll("\\(start marker at \\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]\\)",
                        "(opened at line $1, column $2)")
                .replaceAll(" ?\\[Source: [^\\]]*\\]", "")
                .replace("expected close marker for Object", "'}' missing")
                .replace("expected close marker for Array", "']' missing")
                .replaceAll(" \\(code \\d+\\)", "").replaceAll("\\(JSON String, Number, Array, Object or token"
                + " 'null', 'true' or 'false'\\)", "a JSON value").replace("Unexpected end-of-input", "the file ends")
                .replaceAll("`[A-Za-z.$]+`", "a value").trim();
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String kind(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }
}
