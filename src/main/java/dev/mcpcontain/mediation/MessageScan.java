package dev.mcpcontain.mediation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The few facts the relay needs from a message, read with a streaming parser that walks the whole line (so
 * the syntax is checked) without building it: kind, method, id and, for error responses, the code.
 *
 * <p>Strict on purpose: duplicate member names and trailing data make a line invalid. The server's JSON parser
 * (last duplicate wins) must never see a different message than the one the relay checked.
 */
final class MessageScan {

    enum Kind { REQUEST, NOTIFICATION, RESPONSE, INVALID }

    Kind kind;
    String method;
    /** The id as JSON text, exactly as written (number) or re-quoted (string); null when absent. */
    String idJson;
    /** The id as a lookup key shared by both directions; null for an absent or null id. */
    String idKey;
    boolean hasError;
    Integer errorCode;
    /** Why the line is {@link Kind#INVALID}. */
    String invalidReason;
    /** A JSON array at the top: a batch, which the relay does not pass on. */
    boolean batch;

    static JsonFactory strictFactory() {
        return JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    static MessageScan of(JsonFactory factory, byte[] bytes, int offset, int length) {
        MessageScan scan = new MessageScan();
        boolean hasId = false;
        boolean hasResult = false;
        try (JsonParser p = factory.createParser(bytes, offset, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                scan.batch = first == JsonToken.START_ARRAY;
                return scan.invalid(first == null ? "empty line" : scan.batch ? "JSON-RPC batch" : "not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "method" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return scan.invalid("method is not a string");
                        }
                        scan.method = p.getText();
                    }
                    case "id" -> {
                        hasId = true;
                        scan.readId(p, value);
                    }
                    case "result" -> {
                        hasResult = true;
                        p.skipChildren();
                    }
                    case "error" -> {
                        scan.hasError = true;
                        scan.readErrorCode(p, value);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return scan.invalid("trailing data after the JSON object");
            }
        } catch (IOException e) {
            return scan.invalid("not valid JSON (" + firstLine(e.getMessage()) + ")");
        } catch (IllegalArgumentException e) {
            return scan.invalid(e.getMessage());
        }
        if (scan.method != null) {
            scan.kind = hasId ? Kind.REQUEST : Kind.NOTIFICATION;
            if (hasId && scan.idKey == null) {
                return scan.invalid("request id is null");
            }
        } else if (hasId && (hasResult || scan.hasError)) {
            scan.kind = Kind.RESPONSE;
        } else {
            return scan.invalid("neither a request, a notification nor a response");
        }
        return scan;
    }

    private void readId(JsonParser p, JsonToken value) throws IOException {
        switch (value) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                idJson = p.getText();
                idKey = numericKey(p.getDoubleValue());
            }
            case VALUE_STRING -> {
                String text = p.getText();
                idJson = quote(text);
                idKey = "s:" + text;
            }
            case VALUE_NULL -> idJson = "null";
            default -> throw new IllegalArgumentException("id is neither a number nor a string");
        }
    }

    /**
     * Numbers are matched by their double value, the way a JavaScript peer reads them: a server that echoes
     * {@code 1.0} as {@code 1}, or rounds a huge id, still answers the request the relay checked.
     */
    static String numericKey(double value) {
        return "n:" + Double.doubleToLongBits(value == 0.0 ? 0.0 : value);
    }

    private void readErrorCode(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            if (name.equals("code") && token == JsonToken.VALUE_NUMBER_INT) {
                errorCode = p.getIntValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private MessageScan invalid(String reason) {
        kind = Kind.INVALID;
        invalidReason = reason;
        return this;
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text, out);
        return out.append('"').toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
