package dev.mcpcontain.profile;

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
        String child = null;
        while (current != null) {
            Located located;
            try {
                located = locate(current, relativeTo);
            } catch (ProfileException e) {
                // A parent that cannot be found is an error in the file that names it.
                throw child == null ? e : new ProfileException(child + ": field 'extends': " + e.getMessage());
            }
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
            child = located.source();
            relativeTo = located.path().isPresent() ? located.path().get().getParent() : null;
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
            // A profile is a few KiB: a fifo, a device or a huge file is an error naming it, not a hang or an OOM.
            return new Located(source, Optional.of(path), dev.mcpcontain.state.SmallFiles.read(path, 1 << 20));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ProfileException(source + ": profile file not found");
        } catch (IOException e) {
            throw new ProfileException(source + ": cannot read profile: " + e.getMessage());
        }
    }

    private static Profile parse(Located located) {
        return ProfileReader.read(located.source(), located.content());
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
