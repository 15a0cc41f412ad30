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
 */
public final class TreeHash {

    /** A file's content hash and the metadata it was computed under. */
    public record CachedFile(long device, long inode, long size, long mtimeNs, long ctimeNs, String sha256) {}

    /** Content hashes by relative path; {@link #computed} counts the files actually read. */
    public static final class Cache {
        private final Map<String, CachedFile> files;
        private int computed;

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
    }

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
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root + ": not found");
        }
        MessageDigest tree = sha256();
        Map<String, CachedFile> seen = new TreeMap<>();
        Map<String, Path> entries = new TreeMap<>();
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            collect(root, "", entries);
        } else {
            entries.put("", root);
        }
        for (Map.Entry<String, Path> entry : entries.entrySet()) {
            String name = entry.getKey();
            Path path = entry.getValue();
            Map<String, Object> attrs = Files.readAttributes(path, "unix:mode,dev,ino,size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attrs.get("mode");
            // The type from the same lstat: no further system call per entry.
            int type = mode & S_IFMT;
            String line;
            if (type == S_IFLNK) {
                line = "l " + name + "\0" + Files.readSymbolicLink(path);
            } else if (type == S_IFDIR) {
                line = "d " + Integer.toOctalString(mode & 07777) + " " + name;
            } else if (type == S_IFREG) {
                CachedFile now = new CachedFile((Long) attrs.get("dev"), (Long) attrs.get("ino"),
                        (Long) attrs.get("size"), nanos((FileTime) attrs.get("lastModifiedTime")),
                        nanos((FileTime) attrs.get("ctime")), "");
                CachedFile known = cache.files.get(name);
                String content;
                if (known != null && sameMetadata(known, now)) {
                    content = known.sha256();
                } else {
                    content = fileSha256(path);
                    cache.computed++;
                }
                seen.put(name, new CachedFile(now.device(), now.inode(), now.size(), now.mtimeNs(), now.ctimeNs(),
                        content));
                line = "f " + Integer.toOctalString(mode & 07777) + " " + name + "\0" + content;
            } else {
                throw new IOException(path + ": neither a file, a folder nor a symlink; not code");
            }
            tree.update(line.getBytes(StandardCharsets.UTF_8));
            tree.update((byte) '\n');
        }
        cache.files.clear();
        cache.files.putAll(seen);
        return HexFormat.of().formatHex(tree.digest());
    }

    /** Every entry under {@code dir} by relative path; links are entries, never descended into. */
    private static void collect(Path dir, String prefix, Map<String, Path> entries) throws IOException {
        entries.put(prefix, dir);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String name = prefix.isEmpty() ? child.getFileName().toString()
                        : prefix + "/" + child.getFileName();
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    collect(child, name, entries);
                } else {
                    entries.put(name, child);
                }
            }
        }
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
