package dev.mcpcontain.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.state.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The registered servers of one account: {@code DIR/NAME/server.json}, the sensitive values in the OS keyring
 * ({@link SecretStore}) or, where there is none, in {@code DIR/NAME/secrets.json} (0600), the tree hash's metadata cache in {@code DIR/NAME/tree-cache.json}, and for
 * npm servers the installed package under {@code DIR/NAME/code/}. DIR is {@code /var/lib/mcp-contain/registry} for
 * root and {@code $XDG_DATA_HOME/mcp-contain/registry} for a user, so each launcher keeps its own.
 *
 * <p>Writing never follows a symlink: the registry folder and each server's folder must be real folders owned by
 * this account (a link planted there would redirect root's writes), and files are replaced by an atomic rename of
 * a freshly created temporary file, which replaces a link instead of writing through it.
 */
public final class RegistryStore {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path directory;
    /** The account whose folders these must be; -1 where there are no uids (Windows). */
    private final int uid;
    private final RegistrySecrets secrets;

    /** A registry whose secrets go to the 0600 file only. */
    public RegistryStore(Path directory, int uid) {
        this(directory, uid, new SecretStorage.Choice(SecretStorage.Mode.FILE, Optional.empty(), "no keyring configured"),
                Optional::empty);
    }

    public RegistryStore(Path directory, int uid, SecretStorage.Choice secretChoice,
            Supplier<Optional<SecretStore>> keyring) {
        this.directory = directory.toAbsolutePath();
        this.uid = uid;
        this.secrets = new RegistrySecrets(this, secretChoice, keyring);
    }

    public static RegistryStore forHost(HostEnvironment host) {
        SecretStorage.Choice choice = SecretStorage.choose(System.getProperty("os.name", ""), host.variables());
        return new RegistryStore(host.dataDirectory().resolve("registry"), host.uid(), choice,
                () -> SecretStorage.keyring(host, choice));
    }

    public Path directory() {
        return directory;
    }

    /** @throws RegistryException when the name cannot be a server identity */
    public Path serverDirectory(String name) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}") || name.contains("..")) {
            throw new RegistryException("'" + name + "' is not a server name (lower-case letters, digits, '.', '_',"
                    + " '-'; at most 64)");
        }
        return directory.resolve(name);
    }

    /**
     * Installed code (npm packages) lives beside the state, not in it: {@code mcp-contain-servers/NAME} next to the
     * data directory. A run grants it read-only, and mcp-contain's own state (secrets, pins, audit) is never
     * grantable.
     */
    public Path codeDirectory(String name) {
        serverDirectory(name);
        return codeRoot().resolve(name);
    }

    private Path codeRoot() {
        return directory.getParent().resolveSibling(directory.getParent().getFileName() + "-servers");
    }

    /**
     * The folder holding every server's code, created as a real folder owned by this account: a bundle is unpacked
     * into a temporary folder there and renamed to its server's code folder, on the same file system.
     */
    public Path ensureCodeRoot() {
        ensureRealDirectory(codeRoot());
        return codeRoot();
    }

    /** The code folder, created as a real folder owned by this account. */
    public Path ensureCodeDirectory(String name) {
        Path dir = codeDirectory(name);
        ensureRealDirectory(dir.getParent());
        ensureRealDirectory(dir);
        return dir;
    }

    public boolean exists(String name) {
        return Files.isRegularFile(serverDirectory(name).resolve("server.json"), LinkOption.NOFOLLOW_LINKS);
    }

    public Optional<ServerEntry> find(String name) {
        Path file = serverDirectory(name).resolve("server.json");
        byte[] content;
        try {
            if (Files.isSymbolicLink(file)) {
                throw new RegistryException(file + ": is a symlink; refusing to read a registered server through it");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            ServerEntry entry = JSON.readValue(content, ServerEntry.class);
            if (!name.equals(entry.name())) {
                throw new RegistryException(file + ": belongs to '" + entry.name() + "', not '" + name + "'");
            }
            return Optional.of(entry);
        } catch (IOException e) {
            throw new RegistryException(file + ": damaged (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    public ServerEntry get(String name) {
        return find(name).orElseThrow(() -> new RegistryException("no registered server '" + name
                + "' in " + directory + " (see 'mcp-contain list')"));
    }

    public List<ServerEntry> list() {
        List<ServerEntry> entries = new ArrayList<>();
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return entries;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory)) {
            for (Path dir : dirs) {
                names.add(dir.getFileName().toString());
            }
        } catch (IOException e) {
            throw new RegistryException(directory + ": cannot list: " + e.getMessage(), e);
        }
        names.sort(String::compareTo);
        for (String name : names) {
            if (name.matches("[a-z0-9][a-z0-9._-]{0,63}") && exists(name)) {
                find(name).ifPresent(entries::add);
            }
        }
        return entries;
    }

    public void save(ServerEntry entry) {
        Path dir = ensureServerDirectory(entry.name());
        write(dir.resolve("server.json"), entry);
    }

    /**
     * The sensitive values of a server: those in its 0600 file, and, when the file does not hold every key the
     * entry names, those in the OS keyring (see {@link RegistrySecrets#read}).
     */
    public Map<String, List<String>> secrets(String name) {
        return secrets.read(name);
    }

    /** Every sensitive value {@code entry} names, for a run; a missing one is refused naming {@code configure}. */
    public Map<String, List<String>> requireSecrets(ServerEntry entry) {
        return secrets.require(entry);
    }

    /** Where new sensitive values would go, for {@code check} (see {@link RegistrySecrets#status}). */
    public Map<String, String> secretStorageStatus() {
        return secrets.status();
    }

    /** Where a server's sensitive values are, for {@code show}: its 0600 file, or the keyring. Contacts nothing. */
    public String secretsLocation(String name) {
        return secrets.location(name);
    }

    /** A .mcpb server's bundle as added (its signature is checked again at run time under requireSignedBundles). */
    public Path bundleFile(String name) {
        return serverDirectory(name).resolve("bundle.mcpb");
    }

    public Path secretsFile(String name) {
        return serverDirectory(name).resolve("secrets.json");
    }

    /**
     * Where {@link #saveSecrets} put the values, and the warning to print when that is the 0600 file.
     *
     * @param where   the keyring's description or the file's path
     * @param warning one line for stderr when the values went to the file for want of a keyring
     */
    public record SavedSecrets(String where, Optional<String> warning) {}

    /**
     * Replaces the sensitive values of {@code name} with {@code secrets}: into the OS keyring when there is one
     * (the 0600 file is then deleted), otherwise into the file.
     *
     * @throws RegistryException when the keyring refuses (locked, needs a prompt), or none is available while
     *                           {@value SecretStorage#MODE_VARIABLE}=keyring
     */
    public SavedSecrets saveSecrets(String name, Map<String, List<String>> values) {
        return secrets.save(name, values);
    }

    public TreeHash.Cache hashCache(String name) {
        Path file = serverDirectory(name).resolve("tree-cache.json");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return TreeHash.Cache.empty();
        }
        try {
            return new TreeHash.Cache(JSON.readValue(Files.readAllBytes(file),
                    new TypeReference<Map<String, TreeHash.CachedFile>>() {}));
        } catch (IOException e) {
            return TreeHash.Cache.empty(); // a damaged cache only costs a full re-hash
        }
    }

    /**
     * Saves the per-file cache, then the stamp: the tree hash the cache's walk gave and that walk's metadata digest.
     * The stamp goes last, so a crash in between leaves an old stamp, which only costs a slower check.
     */
    public void saveHashCache(String name, TreeHash.Cache cache, String treeSha256) {
        Path dir = ensureServerDirectory(name);
        write(dir.resolve("tree-cache.json"), cache.files());
        write(dir.resolve(STAMP_FILE), new HashStamp(treeSha256, cache.metadataDigest()));
    }

    /** The tree hash of the last check that matched, with the metadata digest of its walk. */
    public record HashStamp(String treeSha256, String metadataDigest) {}

    private static final String STAMP_FILE = "tree-stamp.json";

    /** The stamp of the last matching check; empty when there is none or it cannot be read (a full check follows). */
    public Optional<HashStamp> hashStamp(String name) {
        Path file = serverDirectory(name).resolve(STAMP_FILE);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(Files.readAllBytes(file));
            String tree = node.path("treeSha256").asText("");
            String metadata = node.path("metadataDigest").asText("");
            return tree.length() == 64 && metadata.length() == 64
                    ? Optional.of(new HashStamp(tree, metadata)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes the server's folder (entry, secrets file, cache) and installed code, and its values in the OS keyring.
     * Links inside are removed, not followed.
     *
     * @return warnings: keyring values that could not be deleted (the keyring was not reachable)
     */
    public List<String> remove(String name) {
        List<String> warnings = secrets.forget(name);
        Path code = codeDirectory(name);
        if (Files.exists(code, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(code);
        }
        Path dir = serverDirectory(name);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new RegistryException("no registered server '" + name + "' in " + directory);
        }
        deleteTree(dir);
        return warnings;
    }

    private void deleteTree(Path dir) {
        requireOwnRealDirectory(dir);
        try {
            dev.mcpcontain.state.FileTrees.delete(dir);
        } catch (IOException e) {
            throw new RegistryException(dir + ": cannot remove: " + e.getMessage(), e);
        }
    }

    /**
     * The server's folder, created if absent. Folders are 0755: root's servers run as the agent account, which must
     * read an installed package's code; what is private (entry, secrets, cache) is written 0600.
     */
    public Path ensureServerDirectory(String name) {
        Path dir = serverDirectory(name);
        ensureRealDirectory(directory);
        ensureRealDirectory(dir);
        return dir;
    }

    /**
     * The server's folder, created now and by this call only: the step that makes a new name this command's. Two
     * commands registering the same name at once (two imports of one host file) both pass the "not registered yet"
     * check; only one can create the folder, and the other is refused before it writes anything, so its rollback
     * never removes what the first registered.
     */
    public Path claimServerDirectory(String name) {
        Path dir = serverDirectory(name);
        ensureRealDirectory(directory);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            requireOwnRealDirectory(dir); // a file or link there: that refusal says more
            throw new RegistryException("'" + name + "' was registered meanwhile (another command is registering it, or"
                    + " " + dir + " was left by one that stopped); see 'mcp-contain list'");
        } catch (IOException e) {
            throw new RegistryException(dir + ": cannot create: " + e.getMessage(), e);
        }
        requireOwnRealDirectory(dir);
        return dir;
    }

    private void ensureRealDirectory(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                // Missing parents too get 0755 at most: Files.createDirectories alone would make them 0777 under a
                // umask of 0 (a service's), and anyone could then move the registry away and put another in its place.
                Files.createDirectories(dir.getParent(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new RegistryException(dir + ": cannot create: " + e.getMessage(), e);
        }
        requireOwnRealDirectory(dir);
    }

    private void requireOwnRealDirectory(Path dir) {
        try {
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new RegistryException(dir + ": not a real folder (a symlink or a file); refusing to write"
                        + " registry state through it");
            }
            if (uid < 0) {
                return;
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid) {
                throw new RegistryException(dir + ": owned by uid " + owner + ", not by this account (uid " + uid
                        + "); refusing to write registry state there");
            }
        } catch (IOException e) {
            throw new RegistryException(dir + ": " + e.getMessage(), e);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // not a POSIX file system: the link check above is what applies
        }
    }

    static void write(Path file, Object value) {
        try {
            PrivateFiles.writeAtomically(file, JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot delete: " + e.getMessage(), e);
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
