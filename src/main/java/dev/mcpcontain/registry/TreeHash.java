package dev.mcpcontain.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic hash of a server's code: a bundle folder, an installed package tree, or one binary.
 *
 * <p>Entries are taken in the order of their relative paths (with '/'), each as its type, its permission bits, and
 * its content: a file's SHA-256, a symlink's target as written (never followed: a link pointing out of the tree is
 * part of the code, not whatever it points at today), nothing for a directory. Anything else (fifo, socket, device)
 * is refused: it is not code.
 *
 * <p>Every run checks the hash, so reading every file each time would cost the start-up the project measures. The
 * {@link Cache} keeps each file's content hash beside its metadata (device, inode, size, mtime in ns, ctime in ns):
 * a file whose metadata is unchanged is not read again. ctime is what makes this safe: a writer can set mtime back,
 * but any write or chmod moves ctime to now, and no unprivileged call sets it.
 *
 * <p>The same walk also yields a {@linkplain #metadataDigest metadata digest}: every entry's name, type and mode,
 * each file's device, inode, size, mtime and ctime, each link's target. It is taken from the very stat calls the
 * hash used, before any content is read, so a file written during the walk changes the next digest. When a run's
 * walk gives the digest recorded with the last matching hash, no file's metadata changed, so (by the cache's own
 * rule) no content did: the run needs one stat per entry and no cache file is parsed.
 */
public final class TreeHash {

    /** A file's content hash and the metadata it was computed under. */
    public record CachedFile(long device, long inode, long size, long mtimeNs, long ctimeNs, String sha256) {}

    /** Content hashes by relative path; {@link #computed} counts the files actually read. */
    public static final class Cache {
        private final Map<String, CachedFile> files;
        private int computed;
        private String metadataDigest = "";

        public Cache(Map<String, CachedFile> files) {
            this.files = new TreeMap<>(files);
        }

        public static Cache empty() {
            return new Cache(Map.of());
        }

        public Map<String, CachedFile> files() {
            return files;
        }

        public int computed() {
            return computed;
        }

        /** The metadata digest of the walk that last filled this cache ("" before any, or when a file was racy). */
        public String metadataDigest() {
            return metadataDigest;
        }
    }

    /**
     * Files whose ctime or mtime is this close to the walk are hashed but not remembered: timestamps are only as
     * fine as the filesystem's tick (seconds on some), so a same-size write right after the hash could go unseen.
     */
    static final long RACY_WINDOW_NS = TimeUnit.SECONDS.toNanos(2);

    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;

    private TreeHash() {}

    /**
     * @param root  a folder or a single file (a binary)
     * @param cache read and updated: entries for files no longer there are dropped
     * @return the tree's SHA-256, hex
     */
    public static String of(Path root, Cache cache) throws IOException {
        return of(root, cache, TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()));
    }

    /** {@link #of(Path, Cache)} as if walked at {@code nowNs} (epoch ns): tests step past the racy window. */
    static String of(Path root, Cache cache, long nowNs) throws IOException {
        MessageDigest tree = sha256();
        MessageDigest metadata = sha256();
        Map<String, CachedFile> seen = new TreeMap<>();
        long racyFrom = nowNs - RACY_WINDOW_NS;
        boolean racy = false;
        for (Entry entry : walk(root)) {
            String line;
            if (entry.type() == S_IFREG) {
                CachedFile now = entry.file("");
                CachedFile known = cache.files.get(entry.name());
                String content;
                if (known != null && sameMetadata(known, now)) {
                    content = known.sha256();
                } else {
                    content = fileSha256(entry.path());
                    cache.computed++;
                }
                if (Math.max(now.ctimeNs(), now.mtimeNs()) >= racyFrom) {
                    // Changed just now: a second write in the same timestamp tick would leave size and times as
                    // they are, so neither this hash nor the digest may vouch for it later (git's "racy" files).
                    racy = true;
                    seen.put(entry.name(), now);
                } else {
                    seen.put(entry.name(), entry.file(content));
                }
                line = "f " + Integer.toOctalString(entry.mode() & 07777) + " " + entry.name() + "\0" + content;
            } else {
                line = entry.structureLine();
            }
            update(tree, line);
            update(metadata, entry.metadataLine());
        }
        cache.files.clear();
        cache.files.putAll(seen);
        cache.metadataDigest = racy ? "" : HexFormat.of().formatHex(metadata.digest());
        return HexFormat.of().formatHex(tree.digest());
    }

    /**
     * The digest of the tree's metadata alone (no file is read): equal to the {@link Cache#metadataDigest} of an
     * earlier {@link #of} exactly when no entry was added, removed, renamed, re-linked, chmod-ed or written since.
     */
    public static String metadataDigest(Path root) throws IOException {
        MessageDigest metadata = sha256();
        for (Entry entry : walk(root)) {
            update(metadata, entry.metadataLine());
        }
        return HexFormat.of().formatHex(metadata.digest());
    }

    /** One entry of the walk, with the attributes of its one lstat. */
    private record Entry(String name, Path path, Map<String, Object> attrs) {

        int mode() {
            return (Integer) attrs.get("mode");
        }

        int type() {
            return mode() & S_IFMT;
        }

        CachedFile file(String sha) {
            return new CachedFile((Long) attrs.get("dev"), (Long) attrs.get("ino"), (Long) attrs.get("size"),
                    nanos((FileTime) attrs.get("lastModifiedTime")), nanos((FileTime) attrs.get("ctime")), sha);
        }

        /** The hash line of a folder or a link (a file's carries its content hash). */
        String structureLine() throws IOException {
            if (type() == S_IFLNK) {
                return "l " + name + "\0" + Files.readSymbolicLink(path);
            }
            return "d " + Integer.toOctalString(mode() & 07777) + " " + name;
        }

        String metadataLine() throws IOException {
            if (type() != S_IFREG) {
                return structureLine();
            }
            CachedFile f = file("");
            return "f " + Integer.toOctalString(mode() & 07777) + " " + name + "\0" + f.device() + " " + f.inode()
                    + " " + f.size() + " " + f.mtimeNs() + " " + f.ctimeNs();
        }
    }

    /** Every entry in the order of its relative path; links are entries, never followed; one lstat each. */
    private static java.util.Collection<Entry> walk(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root + ": not found");
        }
        Map<String, Entry> entries = new TreeMap<>();
        Entry top = entry("", root);
        if (top.type() == S_IFDIR) {
            collect(top, entries);
        } else {
            check(top);
            entries.put("", top);
        }
        return entries.values();
    }

    private static void collect(Entry dir, Map<String, Entry> entries) throws IOException {
        entries.put(dir.name(), dir);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir.path())) {
            for (Path child : children) {
                String name = dir.name().isEmpty() ? child.getFileName().toString()
                        : dir.name() + "/" + child.getFileName();
                Entry entry = entry(name, child);
                if (entry.type() == S_IFDIR) {
                    collect(entry, entries);
                } else {
                    check(entry);
                    entries.put(name, entry);
                }
            }
        }
    }

    private static Entry entry(String name, Path path) throws IOException {
        return new Entry(name, path, Files.readAttributes(path, "unix:mode,dev,ino,size,lastModifiedTime,ctime",
                LinkOption.NOFOLLOW_LINKS));
    }

    private static void check(Entry entry) throws IOException {
        int type = entry.type();
        if (type != S_IFREG && type != S_IFLNK) {
            throw new IOException(entry.path() + ": neither a file, a folder nor a symlink; not code");
        }
    }

    private static void update(MessageDigest digest, String line) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
    }

    private static boolean sameMetadata(CachedFile a, CachedFile b) {
        return a.device() == b.device() && a.inode() == b.inode() && a.size() == b.size()
                && a.mtimeNs() == b.mtimeNs() && a.ctimeNs() == b.ctimeNs() && a.sha256().length() == 64;
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }

    private static String fileSha256(Path file) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[65536];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
