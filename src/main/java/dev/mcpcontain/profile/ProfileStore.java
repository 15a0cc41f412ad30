package dev.mcpcontain.profile;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds profiles by name or path, parses them strictly and resolves their {@code extends} chain.
 *
 * <p>Lookup for a name: the user's directory ({@code $XDG_CONFIG_HOME/mcp-contain/profiles}) first, so a user can
 * shadow a built-in, then the built-ins shipped in the jar. Anything containing a slash or ending in
 * {@code .json} is a path.
 */
public final class ProfileStore {

    /** Names of the profiles shipped under profiles/ and packaged into the jar. */
    public static final List<String> BUILT_IN = List.of("default", "strict", "network", "npx", "uvx", "reduced");

    private static final ObjectMapper STRICT = strictMapper();

    private final Optional<Path> userDirectory;

    public ProfileStore(Optional<Path> userDirectory) {
        this.userDirectory = userDirectory;
    }

    /** A profile with its chain merged, ready for the policy resolver. */
    public record Resolved(String name, String source, List<String> chain, Profile profile) {}

    public Resolved resolve(String nameOrPath) {
        List<String> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        Profile merged = null;
        String current = nameOrPath;
        String firstSource = null;
        Path relativeTo = null;
        while (current != null) {
            Located located = locate(current, relativeTo);
            if (!seen.add(located.source())) {
                throw new ProfileException(located.source() + ": 'extends' forms a cycle: "
                        + String.join(" -> ", seen) + " -> " + located.source());
            }
            Profile profile = parse(located);
            chain.add(located.source());
            if (firstSource == null) {
                firstSource = located.source();
            }
            merged = merged == null ? profile : ProfileMerger.overlay(profile, merged);
            current = profile.parent();
            relativeTo = located.path().map(Path::getParent).orElse(null);
        }
        return new Resolved(displayName(nameOrPath), firstSource, List.copyOf(chain), ProfileMerger.withDefaults(merged));
    }

    /** Every profile name this store can find: built-ins and the user's own. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(BUILT_IN);
        userDirectory.filter(Files::isDirectory).ifPresent(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".json"))
                        .map(n -> n.substring(0, n.length() - 5))
                        .forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return names;
    }

    private static String displayName(String nameOrPath) {
        if (!isPath(nameOrPath)) {
            return nameOrPath;
        }
        String file = Path.of(nameOrPath).getFileName().toString();
        return file.endsWith(".json") ? file.substring(0, file.length() - 5) : file;
    }

    private static boolean isPath(String nameOrPath) {
        return nameOrPath.contains("/") || nameOrPath.endsWith(".json");
    }

    private record Located(String source, Optional<Path> path, byte[] content) {}

    private Located locate(String nameOrPath, Path relativeTo) {
        if (isPath(nameOrPath)) {
            Path path = relativeTo != null ? relativeTo.resolve(nameOrPath) : Path.of(nameOrPath);
            return read(path.toString(), path);
        }
        if (!nameOrPath.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ProfileException("profile name '" + nameOrPath
                    + "' is not valid (letters, digits, '.', '_', '-'; or give a path to a .json file)");
        }
        if (userDirectory.isPresent()) {
            Path candidate = userDirectory.get().resolve(nameOrPath + ".json");
            if (Files.isRegularFile(candidate)) {
                return read(candidate.toString(), candidate);
            }
        }
        try (InputStream in = ProfileStore.class.getResourceAsStream("/profiles/" + nameOrPath + ".json")) {
            if (in == null) {
                throw new ProfileException("no profile named '" + nameOrPath + "' (known: "
                        + String.join(", ", names()) + "; or give a path to a .json file)");
            }
            return new Located("profiles/" + nameOrPath + ".json", Optional.empty(), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Located read(String source, Path path) {
        try {
            return new Located(source, Optional.of(path), Files.readAllBytes(path));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ProfileException(source + ": profile file not found");
        } catch (IOException e) {
            throw new ProfileException(source + ": cannot read profile: " + e.getMessage());
        }
    }

    private static Profile parse(Located located) {
        try {
            return STRICT.readValue(located.content(), Profile.class);
        } catch (JsonProcessingException e) {
            throw new ProfileException(describe(located.source(), e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Turns a Jackson failure into "file:line: field 'a.b': what is wrong". */
    static String describe(String source, JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        String where = source + (location != null && location.getLineNr() > 0 ? ":" + location.getLineNr() : "");
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return where + ": unknown field '" + fieldPath(unknown) + "'" + (known.isEmpty() ? "" : " (known: " + known + ")");
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            Throwable cause = e instanceof ValueInstantiationException && e.getCause() != null ? e.getCause() : null;
            String problem = cause != null ? cause.getMessage() : e.getOriginalMessage();
            return where + ": field '" + fieldPath(mapping) + "': " + firstLine(problem);
        }
        return where + ": not valid JSON: " + firstLine(e.getOriginalMessage());
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid value";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // Jackson names its own classes in enum and type errors; users know the JSON, not our classes.
        return line.replaceAll("`[a-zA-Z0-9_.$]+\\$?([A-Za-z]+)`", "$1").replace("dev.mcpcontain.profile.", "");
    }

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /** Exposed for the schema test: the same strict reader used for files. */
    static ObjectMapper mapper() {
        return STRICT;
    }

    static Map<String, String> mergeMaps(Map<String, String> base, Map<String, String> over) {
        if (base == null) {
            return over;
        }
        if (over == null) {
            return base;
        }
        Map<String, String> merged = new LinkedHashMap<>(base);
        merged.putAll(over);
        return merged;
    }
}
