package dev.mcpcontain.hosts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a JSON text is, by JSON pointer: the character range of every object and array and of the
 * last member of each object, so that an edit can replace one entry or append one and leave every other byte of
 * the user's file as it was.
 */
final class JsonSpans {

    /** Characters {@code [start, end)} of a value. */
    record Span(int start, int end) {}

    private final Map<String, Span> containers = new HashMap<>();
    private final Map<String, Span> lastMembers = new HashMap<>();

    private static final class Frame {
        final String pointer;
        final boolean array;
        final int start;
        int index;
        String field;

        Frame(String pointer, boolean array, int start) {
            this.pointer = pointer;
            this.array = array;
            this.start = start;
        }
    }

    static JsonSpans of(String text) throws IOException {
        JsonSpans spans = new JsonSpans();
        Deque<Frame> stack = new ArrayDeque<>();
        try (JsonParser p = HostConfigFile.JSON.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME) {
                    stack.peek().field = p.currentName();
                    continue;
                }
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    Frame done = stack.pop();
                    Span span = new Span(done.start, offset(p.currentLocation().getCharOffset()));
                    spans.containers.put(done.pointer, span);
                    spans.member(stack, span);
                    continue;
                }
                String pointer = pointer(stack);
                int start = offset(p.currentTokenLocation().getCharOffset());
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    stack.push(new Frame(pointer, token == JsonToken.START_ARRAY, start));
                } else {
                    p.getText(); // a string's end is known only once it is read
                    spans.member(stack, new Span(start, offset(p.currentLocation().getCharOffset())));
                }
            }
        }
        return spans;
    }

    private void member(Deque<Frame> stack, Span span) {
        Frame parent = stack.peek();
        if (parent != null && !parent.array) {
            lastMembers.put(parent.pointer, span);
        }
    }

    private static String pointer(Deque<Frame> stack) {
        Frame parent = stack.peek();
        if (parent == null) {
            return "";
        }
        if (parent.array) {
            return parent.pointer + "/" + parent.index++;
        }
        return parent.pointer + "/" + parent.field.replace("~", "~0").replace("/", "~1");
    }

    private static int offset(long offset) {
        return Math.toIntExact(offset);
    }

    /** The object or array at {@code pointer}, or null. */
    Span container(String pointer) {
        return containers.get(pointer);
    }

    /** The value of the last member of the object at {@code pointer}, or null when it is empty. */
    Span lastMember(String pointer) {
        return lastMembers.get(pointer);
    }
}
