package dev.mcpcontain.hosts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpcontain.registry.RegistryException;
import dev.mcpcontain.state.JsonProblems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One host configuration file: read as a JSON tree that keeps every key and its order, written back in the file's
 * own layout. Replacing it first copies the original to a timestamped backup beside it (with the owner's permission
 * bits only: it may hold the secrets the import moves out), then
 * renames a complete new file over it, and refuses if the host changed the file in the meantime (Claude Code
 * rewrites {@code ~/.claude.json} while it runs). A symlinked file (dotfile managers) is written where it points.
 *
 * @param file     the path as given
 * @param exists   false for a file {@code connect} creates
 * @param original its bytes when read (empty when it did not exist)
 * @param root     the parsed tree (a fresh {@code {}} when it did not exist)
 * @param style    its layout
 */
public record HostConfigFile(Path file, boolean exists, byte[] original, ObjectNode root, JsonStyle style) {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Host files are kilobytes; Claude Code's ~/.claude.json, with every project's history, a few MiB. */
    static final int MAX_SIZE = 64 << 20;

    /**
     * The file's bytes, refusing what is not a regular file (a fifo would block the command forever, a device such
     * as /dev/zero never ends) and anything over {@link #MAX_SIZE} (read no further than that, even if it grows).
     */
    private static byte[] readBounded(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new RegistryException(file + ": not a regular file (a folder, device or fifo); nothing was changed");
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                throw new RegistryException(file + ": larger than " + (MAX_SIZE >> 20) + " MiB, too large for a host"
                        + " configuration; nothing was changed");
            }
            return bytes;
        }
    }

    /** @throws RegistryException one line naming the file (and line and column for bad JSON) */
    public static HostConfigFile read(Path file, boolean createIfMissing) {
        byte[] bytes;
        try {
            bytes = readBounded(file);
        } catch (NoSuchFileException e) {
            if (!createIfMissing) {
                throw new RegistryException(file + ": no such file");
            }
            return new HostConfigFile(file, false, new byte[0], JSON.createObjectNode(), JsonStyle.DEFAULT);
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            return new HostConfigFile(file, true, bytes, JSON.createObjectNode(), JsonStyle.DEFAULT);
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String problem = JsonProblems.describe(e);
            if (problem.contains("comment")) {
                problem = problem.replaceAll(":[^:]*comment.*", ": a comment; mcp-contain rewrites plain JSON only"
                        + " (comments would be lost): remove the comments first");
            }
            throw new RegistryException(file + ": " + problem, e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new RegistryException(file + ": expected a JSON object at the top level");
        }
        return new HostConfigFile(file, true, bytes, object, JsonStyle.of(text));
    }

    /** The text as read (without a byte-order mark). */
    public String text() {
        String text = new String(original, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * The text with the objects at these JSON pointers replaced, every other byte as it was: the user's layout,
     * spacing and untouched entries stay exactly as they are.
     */
    public String replacing(Map<String, ? extends JsonNode> values) {
        String text = text();
        JsonSpans spans = spans(text);
        List<Map.Entry<JsonSpans.Span, JsonNode>> edits = new ArrayList<>();
        for (Map.Entry<String, ? extends JsonNode> value : values.entrySet()) {
            JsonSpans.Span span = spans.container(value.getKey());
            if (span == null) {
                throw new IllegalArgumentException(file + ": no object at " + value.getKey());
            }
            edits.add(Map.entry(span, value.getValue()));
        }
        edits.sort((a, b) -> Integer.compare(b.getKey().start(), a.getKey().start()));
        StringBuilder out = new StringBuilder(text);
        for (Map.Entry<JsonSpans.Span, JsonNode> edit : edits) {
            JsonSpans.Span span = edit.getKey();
            out.replace(span.start(), span.end(), render(edit.getValue(), indentOfLine(text, span.start())));
        }
        return bom() + out;
    }

    /**
     * The text with these entries appended to the top-level object {@code key} (created at the end of the file
     * if absent), every other byte as it was; a new or empty file is written whole.
     */
    public String adding(String key, Map<String, ? extends JsonNode> entries) {
        String text = text();
        ObjectNode added = JSON.createObjectNode();
        entries.forEach(added::set);
        if (!exists || text.isBlank()) {
            ObjectNode whole = JSON.createObjectNode();
            whole.set(key, added);
            return render(whole, "") + (style.compact() ? "" : "\n");
        }
        JsonNode present = root.get(key);
        if (present != null && !present.isObject()) {
            throw new RegistryException(file + ": '" + key + "' is not an object");
        }
        JsonSpans spans = spans(text);
        String pointer = "/" + key.replace("~", "~0").replace("/", "~1");
        StringBuilder out = new StringBuilder(text);
        if (present == null) {
            JsonSpans.Span last = spans.lastMember("");
            if (last == null) {
                ObjectNode whole = JSON.createObjectNode();
                whole.set(key, added);
                JsonSpans.Span all = spans.container("");
                out.replace(all.start(), all.end(), render(whole, ""));
            } else {
                String indent = indentOfLine(text, last.start());
                out.insert(last.end(), "," + newline() + indent + quote(key) + separator() + render(added, indent));
            }
            return bom() + out;
        }
        JsonSpans.Span last = spans.lastMember(pointer);
        if (last == null) {
            JsonSpans.Span empty = spans.container(pointer);
            out.replace(empty.start(), empty.end(), render(added, indentOfLine(text, empty.start())));
            return bom() + out;
        }
        String indent = indentOfLine(text, last.start());
        StringBuilder insertion = new StringBuilder();
        entries.forEach((name, entry) -> insertion.append(',').append(newline()).append(indent).append(quote(name))
                .append(separator()).append(render(entry, indent)));
        out.insert(last.end(), insertion);
        return bom() + out;
    }

    private JsonSpans spans(String text) {
        try {
            return JsonSpans.of(text);
        } catch (IOException e) {
            throw new RegistryException(file + ": " + e.getMessage(), e);
        }
    }

    /** A value in the file's layout, its lines after the first indented as the line it starts on. */
    private String render(JsonNode value, String indent) {
        try {
            if (style.compact()) {
                return JSON.writeValueAsString(value);
            }
            return JSON.writer(style.printer()).writeValueAsString(value).replace("\n", "\n" + indent);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String newline() {
        return style.compact() ? "" : "\n";
    }

    private String separator() {
        return style.compact() ? ":" : ": ";
    }

    private static String quote(String name) {
        try {
            return JSON.writeValueAsString(name);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String bom() {
        return original.length >= 3 && (original[0] & 0xff) == 0xEF && (original[1] & 0xff) == 0xBB
                && (original[2] & 0xff) == 0xBF ? "\uFEFF" : "";
    }

    private static String indentOfLine(String text, int offset) {
        int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        int i = lineStart;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return text.substring(lineStart, i);
    }

    /**
     * Backs the original up beside it, then replaces it with {@code text} in one rename.
     *
     * @return the backup, or null when there was no file before
     */
    public Path replace(String text, Instant now) {
        Path target;
        try {
            target = exists ? file.toRealPath() : file.toAbsolutePath();
            if (!Files.isDirectory(target.getParent())) {
                // The host's folder (~/.cursor, a project's .vscode) 0755 at most whatever the umask: whoever can
                // write it can replace the file, which says what the host runs.
                Files.createDirectories(target.getParent(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot resolve: " + e.getMessage(), e);
        }
        try {
            if (exists) {
                unchanged(target);
            }
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
        }
        Path backup = exists ? backup(target, now) : null;
        Path temp = null;
        try {
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            copyOwnership(exists ? target : null, temp);
            if (exists) {
                unchanged(target);
            } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw changed();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            return backup;
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file beside the config is harmless
                }
            }
        }
    }

    private void unchanged(Path target) throws IOException {
        if (!Arrays.equals(Files.readAllBytes(target), original)) {
            throw changed();
        }
    }

    private RegistryException changed() {
        return new RegistryException(file + ": changed while mcp-contain was editing it (the host may have rewritten"
                + " it); it was left as it is now: run the command again");
    }

    /**
     * {@code FILE.mcp-contain-YYYYMMDDTHHMMSSZ.bak}: the original's bytes, readable by its owner only. The original
     * may hold the very secrets {@code import} moves into the secret store (an API key in {@code env}), and host files
     * are often 0644: a backup with the original's mode would keep them readable by every account after the import.
     * So the backup keeps only the owner's bits, and is created with them (never wider for a moment).
     */
    private Path backup(Path target, Instant now) {
        String base = target.getFileName() + ".mcp-contain-" + STAMP.format(now);
        for (int i = 0; ; i++) {
            Path backup = target.resolveSibling(base + (i == 0 ? "" : "-" + i) + ".bak");
            try {
                ownerOnlyCopy(target, backup);
                return backup;
            } catch (FileAlreadyExistsException e) {
                if (i > 100) {
                    throw new RegistryException(backup + ": cannot back up " + file + ": too many backups this second");
                }
            } catch (IOException e) {
                throw new RegistryException(file + ": cannot write the backup " + backup + ": " + e.getMessage()
                        + "; nothing was changed", e);
            }
        }
    }

    /** A new file (never an existing one or a link's target) with the bytes read and the owner's bits only. */
    private void ownerOnlyCopy(Path target, Path backup) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view == null) {
            Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        PosixFileAttributes attributes = view.readAttributes();
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        for (var p : attributes.permissions()) {
            if (p.name().startsWith("OWNER_")) {
                mode.add(p);
            }
        }
        mode.add(PosixFilePermission.OWNER_READ);
        Files.createFile(backup, PosixFilePermissions.asFileAttribute(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        try {
            Files.write(backup, original, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(backup, mode);
            Files.setLastModifiedTime(backup, attributes.lastModifiedTime());
        } catch (IOException e) {
            Files.deleteIfExists(backup);
            throw e;
        }
    }

    /** The new file gets the original's mode (and owner where we may set it); a new file gets 0600. */
    private static void copyOwnership(Path from, Path to) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        if (from == null) {
            view.setPermissions(PosixFilePermissions.fromString("rw-------"));
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(from, PosixFileAttributes.class);
        view.setPermissions(attributes.permissions());
        PosixFileAttributes mine = view.readAttributes();
        if (!mine.owner().equals(attributes.owner()) || !mine.group().equals(attributes.group())) {
            try {
                view.setOwner(attributes.owner());
                view.setGroup(attributes.group());
            } catch (IOException e) {
                throw new IOException("cannot give the new file the owner of the original (" + attributes.owner()
                        + "): " + e.getMessage(), e);
            }
        }
    }
}
