package dev.mcpcontain.bundle;

import dev.mcpcontain.registry.RegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a zip, read by hand rather than with {@code java.util.zip.ZipFile}: that class neither
 * shows the Unix mode bits (symlinks, devices, setuid and the executable bit live there) nor lets the reader stop
 * at the end of the signed content, and a bundle's signature block sits after the zip's end record.
 *
 * <p>Only plain zips are read: no zip64 (a bundle that large is over the limits anyway), one disk, no encryption.
 */
final class ZipDirectory {

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int END_SIZE = 22;
    private static final int CENTRAL_SIZE = 46;
    /** 50000 entries with long names fit in far less. */
    private static final long MAX_DIRECTORY = 64L << 20;

    private ZipDirectory() {}

    /**
     * @param channel the bundle file
     * @param length  bytes of it that are the zip (the signed content); nothing after it is read
     * @param label   the bundle, for messages
     * @param maxEntries refused before anything else is read when the directory declares more
     */
    static List<ZipEntryRecord> read(FileChannel channel, long length, String label, int maxEntries)
            throws IOException {
        long end = findEnd(channel, length, label);
        ByteBuffer record = readAt(channel, end, END_SIZE);
        int disk = u16(record, 4);
        int cdDisk = u16(record, 6);
        int onDisk = u16(record, 8);
        int total = u16(record, 10);
        long cdSize = u32(record, 12);
        long cdOffset = u32(record, 16);
        if (total == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            throw refused(label, "is a zip64 archive (not supported for bundles; they stay under 4 GiB)");
        }
        if (disk != 0 || cdDisk != 0 || onDisk != total) {
            throw refused(label, "is a multi-disk zip archive");
        }
        if (total > maxEntries) {
            throw refused(label, "has " + total + " entries, more than the limit of " + maxEntries);
        }
        if (cdSize > MAX_DIRECTORY) {
            throw refused(label, "has a central directory of " + cdSize + " bytes, more than the limit of "
                    + MAX_DIRECTORY);
        }
        if (cdOffset + cdSize > end) {
            throw refused(label, "its central directory lies outside the archive (damaged zip)");
        }
        ByteBuffer cd = readAt(channel, cdOffset, (int) cdSize);
        List<ZipEntryRecord> entries = new ArrayList<>(total);
        int at = 0;
        for (int i = 0; i < total; i++) {
            if (at + CENTRAL_SIZE > cdSize || cd.getInt(at) != CENTRAL_SIGNATURE) {
                throw refused(label, "central directory entry " + (i + 1) + " of " + total + " is damaged");
            }
            int nameLength = u16(cd, at + 28);
            int extraLength = u16(cd, at + 30);
            int commentLength = u16(cd, at + 32);
            if (at + CENTRAL_SIZE + nameLength + extraLength + commentLength > cdSize) {
                throw refused(label, "central directory entry " + (i + 1) + " of " + total + " is damaged");
            }
            byte[] raw = new byte[nameLength];
            cd.get(at + CENTRAL_SIZE, raw);
            entries.add(new ZipEntryRecord(name(raw, label), u16(cd, at + 4), u16(cd, at + 8), u16(cd, at + 10),
                    u32(cd, at + 16), u32(cd, at + 20), u32(cd, at + 24), u32(cd, at + 38), u32(cd, at + 42)));
            at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
        }
        return entries;
    }

    /**
     * The end-of-central-directory record: the one whose comment reaches exactly to the end of the content (or of
     * the file, where {@code mcpb sign} raised the comment length over its signature block). A zip comment may hold
     * anything, including a second end record pointing at another central directory; tools differ on which one
     * they read (the last signature, the first consistent one), so a reviewer's {@code unzip} could show other files
     * than mcp-contain unpacks. More than one consistent record, or none, is refused.
     */
    private static long findEnd(FileChannel channel, long length, String label) throws IOException {
        if (length < END_SIZE) {
            throw refused(label, "is not a zip archive (too short)");
        }
        long fileLength = channel.size();
        int window = (int) Math.min(length, END_SIZE + 0xFFFF);
        ByteBuffer tail = readAt(channel, length - window, window);
        long found = -1;
        boolean any = false;
        for (int i = window - END_SIZE; i >= 0; i--) {
            if (tail.getInt(i) != END_SIGNATURE) {
                continue;
            }
            any = true;
            long at = length - window + i;
            long reach = at + END_SIZE + u16(tail, i + 20);
            if (reach != length && reach != fileLength) {
                continue;
            }
            if (found >= 0) {
                throw refused(label, "has two end of central directory records (one inside the other's comment: an"
                        + " archive that reads differently in different tools)");
            }
            found = at;
        }
        if (found < 0) {
            throw refused(label, any ? "has no end of central directory record whose comment ends the archive"
                    + " (damaged zip, or data after it)" : "is not a zip archive (no end of central directory record)");
        }
        return found;
    }

    private static String name(byte[] raw, String label) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw refused(label, "an entry's name is not UTF-8 (" + BundleUnpacker.printable(
                    new String(raw, StandardCharsets.ISO_8859_1)) + ")");
        }
    }

    static ByteBuffer readAt(FileChannel channel, long position, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xFFFFFFFFL;
    }

    static RegistryException refused(String label, String why) {
        return new RegistryException(label + ": " + why);
    }
}
