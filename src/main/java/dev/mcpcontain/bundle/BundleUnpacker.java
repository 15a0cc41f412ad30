package dev.mcpcontain.bundle;

import dev.mcpcontain.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.Normalizer;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Unpacks a {@code .mcpb} bundle (a zip) into mcp-contain's store, refusing anything that is not plainly a tree of
 * files: names that climb out ({@code ..}, absolute, drive letters, backslashes), links, devices and setuid modes,
 * names that collide (also only by case or Unicode form, as they would on a case-insensitive disk), entries that
 * overlap, and sizes, counts and compression ratios over the {@link Limits}. Files get 0644, or 0755 where the zip
 * marks them executable; folders 0755. Everything is written into a fresh temporary folder beside the target and
 * renamed into place at the end: a refusal leaves nothing behind. Each refusal is one line naming the bundle and
 * the entry.
 */
public final class BundleUnpacker {

    /**
     * @param maxEntries      entries in the archive
     * @param maxEntrySize    uncompressed bytes of one entry
     * @param maxTotalSize    uncompressed bytes of all entries
     * @param maxRatio        uncompressed to compressed, for entries larger than {@code ratioFloor}
     * @param ratioFloor      entries up to this size may compress arbitrarily well (small repetitive files do)
     */
    public record Limits(int maxEntries, long maxEntrySize, long maxTotalSize, long maxRatio, long ratioFloor) {
        /** Large enough for a node server with its node_modules; small enough not to fill a disk. */
        public static final Limits DEFAULT = new Limits(50_000, 256L << 20, 1L << 30, 100, 1L << 20);
    }

    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int LOCAL_SIZE = 30;
    private static final int S_IFMT = 0170000;

    private final Path bundle;
    private final String label;
    private final Limits limits;
    private long contentLength;

    private BundleUnpacker(Path bundle, Limits limits) {
        this.bundle = bundle;
        this.label = bundle.toString();
        this.limits = limits;
    }

    /**
     * @param bundle        the {@code .mcpb} file
     * @param contentLength bytes of it that are the zip (a signature block may follow)
     * @param target        where the tree goes; must not exist; its parent must
     * @return the number of files written
     */
    public static int unpack(Path bundle, long contentLength, Path target, Limits limits) {
        return new BundleUnpacker(bundle, limits).unpackTo(contentLength, target);
    }

    private int unpackTo(long contentLength, Path target) {
        this.contentLength = contentLength;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RegistryException(target + ": already exists; refusing to unpack " + label + " over it");
        }
        Path temp;
        try {
            temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".unpack-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new RegistryException(target.getParent() + ": cannot create a folder to unpack " + label + ": "
                    + e.getMessage(), e);
        }
        try (FileChannel channel = FileChannel.open(bundle, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            List<ZipEntryRecord> entries = ZipDirectory.read(channel, contentLength, label, limits.maxEntries());
            check(entries);
            int files = 0;
            for (ZipEntryRecord e : entries) {
                if (e.directory()) {
                    directory(temp, e.name());
                } else {
                    extract(channel, e, temp);
                    files++;
                }
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return files;
        } catch (IOException e) {
            deleteTree(temp);
            throw new RegistryException(label + ": cannot unpack: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
    }

    /** Everything that can be decided from the directory alone, before a byte is written. */
    private void check(List<ZipEntryRecord> entries) {
        Map<String, String> files = new HashMap<>();
        Map<String, String> folders = new HashMap<>();
        long total = 0;
        for (ZipEntryRecord e : entries) {
            checkName(e.name());
            checkMode(e);
            if ((e.flags() & 1) != 0) {
                throw entry(e, "is encrypted");
            }
            if (e.method() != 0 && e.method() != 8) {
                throw entry(e, "uses compression method " + e.method() + " (only stored and deflated are read)");
            }
            String path = e.directory() ? e.name().substring(0, e.name().length() - 1) : e.name();
            String key = foldKey(path);
            String[] parts = key.split("/");
            StringBuilder parent = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                parent.append(i == 0 ? "" : "/").append(parts[i]);
                String clash = files.get(parent.toString());
                if (clash != null) {
                    throw entry(e, "needs folder '" + parent + "', which is the file '" + printable(clash) + "'");
                }
                folders.putIfAbsent(parent.toString(), path);
            }
            if (e.directory()) {
                String clash = files.get(key);
                if (clash != null) {
                    throw entry(e, "collides with '" + printable(clash) + "'");
                }
                folders.putIfAbsent(key, e.name());
                continue;
            }
            String clash = files.containsKey(key) ? files.get(key) : folders.get(key);
            if (clash != null) {
                throw entry(e, (clash.equals(e.name()) ? "appears twice" : "collides with '" + printable(clash)
                        + "' (names may differ only in case or Unicode form on some disks)"));
            }
            files.put(key, e.name());
            if (e.size() > limits.maxEntrySize()) {
                throw entry(e, "is " + e.size() + " bytes, more than the limit of " + limits.maxEntrySize());
            }
            total += e.size();
            if (total > limits.maxTotalSize()) {
                throw entry(e, "brings the unpacked size to " + total + " bytes, more than the limit of "
                        + limits.maxTotalSize());
            }
            if (e.size() > limits.ratioFloor() && e.size() > limits.maxRatio() * Math.max(1, e.compressedSize())) {
                throw entry(e, "expands " + e.compressedSize() + " bytes to " + e.size() + " (more than "
                        + limits.maxRatio() + ":1; a zip bomb)");
            }
        }
        checkNoOverlap(entries);
    }

    private void checkName(String name) {
        if (name.isEmpty()) {
            throw entry(name, "has an empty name");
        }
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                throw entry(name, "has a control character in its name");
            }
        }
        if (name.contains("\\")) {
            throw entry(name, "has a backslash in its name (a Windows path separator that could climb out)");
        }
        if (name.startsWith("/")) {
            throw entry(name, "is an absolute path");
        }
        if (name.matches("^[A-Za-z]:.*")) {
            throw entry(name, "starts with a drive letter");
        }
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        for (String part : path.split("/", -1)) {
            if (part.equals("..")) {
                throw entry(name, "climbs out of the bundle ('..'; zip-slip)");
            }
            if (part.isEmpty() || part.equals(".")) {
                throw entry(name, "has an empty or '.' path segment");
            }
        }
    }

    private void checkMode(ZipEntryRecord e) {
        int mode = e.unixMode();
        int type = mode & S_IFMT;
        if (type == 0120000) {
            throw entry(e, "is a symbolic link (bundles may hold only files and folders)");
        }
        if (type != 0 && type != 0100000 && type != 0040000) {
            throw entry(e, "is a device, fifo or socket (mode " + Integer.toOctalString(mode) + ")");
        }
        if (type == 0040000 && !e.directory() || type == 0100000 && e.directory()) {
            throw entry(e, "has a mode (" + Integer.toOctalString(mode) + ") that contradicts its name");
        }
        if ((mode & 07000) != 0) {
            throw entry(e, "has a setuid, setgid or sticky mode (" + Integer.toOctalString(mode) + ")");
        }
    }

    /** Entries sharing bytes are how the densest zip bombs work; every entry's data must be its own. */
    private void checkNoOverlap(List<ZipEntryRecord> entries) {
        List<ZipEntryRecord> sorted = entries.stream().filter(e -> !e.directory())
                .sorted(Comparator.comparingLong(ZipEntryRecord::localHeaderOffset)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            ZipEntryRecord before = sorted.get(i - 1);
            if (before.localHeaderOffset() + LOCAL_SIZE + before.compressedSize()
                    > sorted.get(i).localHeaderOffset()) {
                throw entry(sorted.get(i), "overlaps the data of '" + printable(before.name()) + "' (a zip bomb)");
            }
        }
    }

    private static void directory(Path root, String name) throws IOException {
        createFolders(root, root.resolve(name));
    }

    /** Each missing folder from {@code root} down to {@code dir}, 0755 whatever the umask. */
    private static void createFolders(Path root, Path dir) throws IOException {
        if (dir.equals(root) || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        createFolders(root, dir.getParent());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void extract(FileChannel channel, ZipEntryRecord e, Path root) throws IOException {
        ByteBuffer local = ZipDirectory.readAt(channel, e.localHeaderOffset(), LOCAL_SIZE);
        if (local.getInt(0) != LOCAL_SIGNATURE) {
            throw entry(e, "has no local header where the directory says (damaged zip)");
        }
        long data = e.localHeaderOffset() + LOCAL_SIZE + ZipDirectory.u16(local, 26) + ZipDirectory.u16(local, 28);
        byte[] localName = new byte[ZipDirectory.u16(local, 26)];
        ZipDirectory.readAt(channel, e.localHeaderOffset() + LOCAL_SIZE, localName.length).get(localName);
        if (!new String(localName, java.nio.charset.StandardCharsets.UTF_8).equals(e.name())) {
            throw entry(e, "has a different name in its local header (an archive that reads differently in"
                    + " different tools)");
        }
        checkLocalAgrees(e, local);
        if (data + e.compressedSize() > contentLength) {
            throw entry(e, "has data past the end of the archive (damaged zip)");
        }
        Path file = root.resolve(e.name());
        createFolders(root, file.getParent());
        try (InputStream raw = new RangeStream(channel, data, data + e.compressedSize());
                OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            long written = copy(e, raw, out);
            if (written != e.size()) {
                throw entry(e, "holds " + written + " bytes, not the " + e.size() + " its header declares");
            }
        }
        boolean executable = (e.unixMode() & 0111) != 0;
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /**
     * A streaming unzipper reads the local header, not the directory: a method, CRC or size there that differs from
     * the directory's would make it extract other bytes than the ones unpacked and hashed here. With a data
     * descriptor (flag bit 3) the local CRC and sizes may be zero, as the writer did not know them yet.
     */
    private void checkLocalAgrees(ZipEntryRecord e, ByteBuffer local) {
        int flags = ZipDirectory.u16(local, 6);
        boolean descriptor = (flags & 8) != 0;
        long[][] fields = {{ZipDirectory.u32(local, 14), e.crc32()}, {ZipDirectory.u32(local, 18), e.compressedSize()},
            {ZipDirectory.u32(local, 22), e.size()}};
        boolean agrees = ZipDirectory.u16(local, 8) == e.method() && (flags & 1) == (e.flags() & 1);
        for (long[] field : fields) {
            agrees &= field[0] == field[1] || descriptor && field[0] == 0;
        }
        if (!agrees) {
            throw entry(e, "has a local header whose method, CRC or sizes differ from the directory's (an archive"
                    + " that reads differently in different tools)");
        }
    }

    /** Inflates (or copies), never past the declared size, and checks the CRC. */
    private long copy(ZipEntryRecord e, InputStream raw, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        byte[] in = new byte[64 * 1024];
        byte[] buffer = new byte[64 * 1024];
        long written = 0;
        if (e.method() == 0) {
            int n;
            while ((n = raw.read(buffer)) > 0) {
                written += n;
                if (written > e.size()) {
                    throw entry(e, "holds more than the " + e.size() + " bytes its header declares");
                }
                crc.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        } else {
            Inflater inflater = new Inflater(true);
            try {
                while (!inflater.finished()) {
                    if (inflater.needsInput()) {
                        int n = raw.read(in);
                        if (n < 0) {
                            throw entry(e, "ends before its compressed data does (damaged zip)");
                        }
                        inflater.setInput(in, 0, n);
                    }
                    int n = inflater.inflate(buffer);
                    written += n;
                    if (written > e.size()) {
                        throw entry(e, "inflates past the " + e.size() + " bytes its header declares (a zip bomb)");
                    }
                    crc.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    if (n == 0 && inflater.needsDictionary()) {
                        throw entry(e, "needs a preset dictionary (damaged zip)");
                    }
                }
            } catch (DataFormatException ex) {
                throw entry(e, "has damaged compressed data (" + ex.getMessage() + ")");
            } finally {
                inflater.end();
            }
        }
        if (crc.getValue() != e.crc32()) {
            throw entry(e, "fails its CRC check (damaged or altered)");
        }
        return written;
    }

    /** The Unicode-normalised, lower-cased form under which two names would be the same file on some disk. */
    private static String foldKey(String path) {
        return Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    private RegistryException entry(ZipEntryRecord e, String why) {
        return entry(e.name(), why);
    }

    private RegistryException entry(String name, String why) {
        return new RegistryException(label + ": entry '" + printable(name) + "' " + why + "; nothing was unpacked");
    }

    /** A name as one line: control characters shown as escapes. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static void deleteTree(Path dir) {
        try {
            dev.mcpcontain.state.FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot remove a half-unpacked bundle: " + e.getMessage(), e);
        }
    }

    /** A slice of the file, read with positional reads (the channel is shared, its position unused). */
    private static final class RangeStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RangeStream(FileChannel channel, long start, long end) {
            this.channel = channel;
            this.position = start;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            position += n;
            return n;
        }
    }
}
