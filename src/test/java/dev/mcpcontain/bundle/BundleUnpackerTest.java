package dev.mcpcontain.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.registry.RegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleUnpackerTest {

    @TempDir
    Path temp;

    private Path write(CraftedZip zip) throws IOException {
        return write(zip.bytes());
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = temp.resolve("b.mcpb");
        Files.write(file, bytes);
        return file;
    }

    private Path store() throws IOException {
        return Files.createDirectories(temp.resolve("store"));
    }

    /** Unpacks with the default limits; a refusal must leave the store empty. */
    private String refused(CraftedZip zip) throws IOException {
        return refused(zip.bytes(), BundleUnpacker.Limits.DEFAULT);
    }

    private String refused(byte[] bytes, BundleUnpacker.Limits limits) throws IOException {
        Path bundle = write(bytes);
        Path store = store();
        RegistryException e = assertThrows(RegistryException.class,
                () -> BundleUnpacker.unpack(bundle, bytes.length, store.resolve("srv"), limits));
        try (Stream<Path> left = Files.list(store)) {
            assertEquals(0, left.count(), "nothing is left behind after: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(bundle + ": "), e.getMessage());
        return e.getMessage().substring(bundle.toString().length() + 2);
    }

    @Test
    void aPlainBundleUnpacksWithModesFromTheZipOnly() throws IOException {
        CraftedZip zip = new CraftedZip().file("manifest.json", "{}")
                .add(new CraftedZip.Entry("server/", new byte[0], 040755, false, -1))
                .add(new CraftedZip.Entry("server/index.js", "x".getBytes(StandardCharsets.UTF_8), 0100666, true, -1))
                .add(new CraftedZip.Entry("bin/run", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0100777, false, -1))
                .file("deep/a/b/c.txt", "c");
        Path bundle = write(zip);
        Path target = store().resolve("srv");
        assertEquals(4, BundleUnpacker.unpack(bundle, Files.size(bundle), target, BundleUnpacker.Limits.DEFAULT));
        assertEquals("{}", Files.readString(target.resolve("manifest.json")));
        assertEquals("rw-r--r--", perms(target.resolve("server/index.js")), "group/other write is never kept");
        assertEquals("rwxr-xr-x", perms(target.resolve("bin/run")), "the executable bit the zip sets is kept");
        assertEquals("rwxr-xr-x", perms(target.resolve("deep/a")));
        assertEquals("rwxr-xr-x", perms(target));
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertEquals(1, left.count(), "no temporary folder remains");
        }
    }

    @Test
    void namesThatClimbOutAreRefused() throws IOException {
        assertEquals("entry '../evil.js' climbs out of the bundle ('..'; zip-slip); nothing was unpacked",
                refused(new CraftedZip().file("ok.txt", "1").file("../evil.js", "x")));
        assertEquals("entry 'a/../../evil' climbs out of the bundle ('..'; zip-slip); nothing was unpacked",
                refused(new CraftedZip().file("a/../../evil", "x")));
        assertEquals("entry '/etc/passwd' is an absolute path; nothing was unpacked",
                refused(new CraftedZip().file("/etc/passwd", "x")));
        assertEquals("entry 'C:/Windows/evil.dll' starts with a drive letter; nothing was unpacked",
                refused(new CraftedZip().file("C:/Windows/evil.dll", "x")));
        assertEquals("entry '..\\evil' has a backslash in its name (a Windows path separator that could climb out);"
                + " nothing was unpacked", refused(new CraftedZip().file("..\\evil", "x")));
        assertEquals("entry 'a//b' has an empty or '.' path segment; nothing was unpacked",
                refused(new CraftedZip().file("a//b", "x")));
        assertEquals("entry 'a\\x0ab' has a control character in its name; nothing was unpacked",
                refused(new CraftedZip().file("a\nb", "x")));
    }

    @Test
    void linksDevicesAndSetIdModesAreRefused() throws IOException {
        assertEquals("entry 'link' is a symbolic link (bundles may hold only files and folders); nothing was unpacked",
                refused(new CraftedZip().file("a.txt", "a").add(new CraftedZip.Entry("link",
                        "/etc/passwd".getBytes(StandardCharsets.UTF_8), 0120777, false, -1))));
        assertEquals("entry 'dev' is a device, fifo or socket (mode 20644); nothing was unpacked",
                refused(new CraftedZip().add(new CraftedZip.Entry("dev", new byte[0], 020644, false, -1))));
        assertEquals("entry 'suid' has a setuid, setgid or sticky mode (104755); nothing was unpacked",
                refused(new CraftedZip().add(new CraftedZip.Entry("suid", new byte[1], 0104755, false, -1))));
    }

    @Test
    void duplicateAndCollidingNamesAreRefused() throws IOException {
        assertEquals("entry 'a.js' appears twice; nothing was unpacked",
                refused(new CraftedZip().file("a.js", "1").file("a.js", "2")));
        assertEquals("entry 'Index.js' collides with 'index.js' (names may differ only in case or Unicode form on"
                + " some disks); nothing was unpacked", refused(new CraftedZip().file("index.js", "1")
                        .file("Index.js", "2")));
        assertEquals("entry 'caf\u0065\u0301.js' collides with 'caf\u00e9.js' (names may differ only in case or"
                + " Unicode form on some disks); nothing was unpacked", refused(new CraftedZip()
                        .file("caf\u00e9.js", "1").file("caf\u0065\u0301.js", "2")));
        assertEquals("entry 'a/b.js' needs folder 'a', which is the file 'a'; nothing was unpacked",
                refused(new CraftedZip().file("a", "1").file("a/b.js", "2")));
    }

    @Test
    void bombsAndOversizedBundlesAreRefused() throws IOException {
        byte[] zeros = new byte[4 << 20];
        assertEquals("entry 'bomb.bin' expands " + CraftedZip.deflate(zeros).length + " bytes to 4194304 (more"
                + " than 100:1; a zip bomb); nothing was unpacked", refused(new CraftedZip().add(
                        new CraftedZip.Entry("bomb.bin", zeros, 0100644, true, -1))));
        // A header that lies about the size: caught while inflating, and nothing is kept.
        assertEquals("entry 'liar.bin' inflates past the 1000 bytes its header declares (a zip bomb); nothing was"
                + " unpacked", refused(new CraftedZip().add(new CraftedZip.Entry("liar.bin", zeros, 0100644, true,
                        1000))));
        assertEquals("entry 'stored.bin' holds more than the 3 bytes its header declares; nothing was unpacked",
                refused(new CraftedZip().add(new CraftedZip.Entry("stored.bin", new byte[10], 0100644, false, 3))));
        assertEquals("entry 'b' overlaps the data of 'a' (a zip bomb); nothing was unpacked",
                refused(new CraftedZip().file("a", "aaaa").file("b", "aaaa").overlapLast()));
        BundleUnpacker.Limits small = new BundleUnpacker.Limits(2, 10, 15, 100, 1 << 20);
        assertEquals("has 3 entries, more than the limit of 2", refused(new CraftedZip().file("a", "1")
                .file("b", "2").file("c", "3").bytes(), small));
        assertEquals("entry 'big' is 11 bytes, more than the limit of 10; nothing was unpacked",
                refused(new CraftedZip().file("big", "01234567890").bytes(), small));
        assertEquals("entry 'b' brings the unpacked size to 16 bytes, more than the limit of 15; nothing was"
                + " unpacked", refused(new CraftedZip().file("a", "0123456789").file("b", "012345").bytes(), small));
    }

    @Test
    void damagedOrNonZipInputIsRefused() throws IOException {
        assertEquals("is not a zip archive (no end of central directory record)",
                refused("just some text that is not a zip at all".getBytes(StandardCharsets.UTF_8),
                        BundleUnpacker.Limits.DEFAULT));
        byte[] zip = new CraftedZip().file("a.txt", "hello").bytes();
        zip[30 + "a.txt".length()] ^= 0x55; // the first byte of the compressed data
        String message = refused(zip, BundleUnpacker.Limits.DEFAULT);
        assertTrue(message.startsWith("entry 'a.txt' "), message);
    }

    @Test
    void onlyTheContentBeforeASignatureBlockIsRead() throws IOException {
        byte[] zip = new CraftedZip().file("a.txt", "hello").bytes();
        byte[] signed = new byte[zip.length + 100];
        System.arraycopy(zip, 0, signed, 0, zip.length);
        Path bundle = write(signed);
        Path target = store().resolve("srv");
        BundleUnpacker.unpack(bundle, zip.length, target, BundleUnpacker.Limits.DEFAULT);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target.resolve("a.txt")));
    }

    /**
     * A zip whose comment holds a second, complete archive's directory and end record: readers that take the last
     * end signature see one file, readers that check the comment length see another. Refused; the same archive with
     * a harmless comment (positive control) unpacks.
     */
    @Test
    void anEndRecordHiddenInTheCommentIsRefused() throws IOException {
        byte[] benign = new CraftedZip().file("index.js", "console.log('benign')").bytes();
        byte[] evil = new CraftedZip().file("index.js", "require('child_process')").bytes();
        int base = benign.length;
        ByteBuffer hidden = ByteBuffer.wrap(evil.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int evilEnd = evil.length - 22;
        long evilDirectory = hidden.getInt(evilEnd + 16) & 0xFFFFFFFFL;
        hidden.putInt((int) evilDirectory + 42, hidden.getInt((int) evilDirectory + 42) + base);
        hidden.putInt(evilEnd + 16, (int) evilDirectory + base);
        byte[] crafted = new byte[benign.length + evil.length];
        System.arraycopy(benign, 0, crafted, 0, benign.length);
        System.arraycopy(hidden.array(), 0, crafted, benign.length, evil.length);
        ByteBuffer.wrap(crafted).order(ByteOrder.LITTLE_ENDIAN).putShort(benign.length - 2, (short) evil.length);
        assertEquals("has two end of central directory records (one inside the other's comment: an archive that"
                + " reads differently in different tools)", refused(crafted, BundleUnpacker.Limits.DEFAULT));

        byte[] commented = new byte[benign.length + evil.length];
        System.arraycopy(benign, 0, commented, 0, benign.length);
        Arrays.fill(commented, benign.length, commented.length, (byte) 'c');
        ByteBuffer.wrap(commented).order(ByteOrder.LITTLE_ENDIAN).putShort(benign.length - 2, (short) evil.length);
        Path bundle = write(commented);
        Path target = store().resolve("srv");
        BundleUnpacker.unpack(bundle, commented.length, target, BundleUnpacker.Limits.DEFAULT);
        assertEquals("console.log('benign')", Files.readString(target.resolve("index.js")));
    }

    /** A local header that disagrees with the directory (what streaming unzippers read) is refused. */
    @Test
    void aLocalHeaderThatDisagreesWithTheDirectoryIsRefused() throws IOException {
        byte[] zip = new CraftedZip().add(new CraftedZip.Entry("a.txt", "hello".getBytes(StandardCharsets.UTF_8),
                0100644, false, -1)).bytes();
        String expected = "entry 'a.txt' has a local header whose method, CRC or sizes differ from the directory's"
                + " (an archive that reads differently in different tools); nothing was unpacked";
        for (int field : new int[] {8, 14, 18, 22}) {
            byte[] crafted = zip.clone();
            crafted[field] ^= 0x01;
            assertEquals(expected, refused(crafted, BundleUnpacker.Limits.DEFAULT), "field at " + field);
        }
        Path target = store().resolve("srv");
        BundleUnpacker.unpack(write(zip), zip.length, target, BundleUnpacker.Limits.DEFAULT);
        assertEquals("hello", Files.readString(target.resolve("a.txt")));
    }

    /** Bytes after the end record (and no signature block) are not part of any archive a tool would agree on. */
    @Test
    void dataAfterTheEndRecordIsRefused() throws IOException {
        byte[] zip = new CraftedZip().file("a.txt", "hello").bytes();
        byte[] trailing = Arrays.copyOf(zip, zip.length + 5);
        assertEquals("has no end of central directory record whose comment ends the archive (damaged zip, or data"
                + " after it)", refused(trailing, BundleUnpacker.Limits.DEFAULT));
    }

    @Test
    void anExistingTargetIsNeverOverwritten() throws IOException {
        Path bundle = write(new CraftedZip().file("a.txt", "x"));
        Path target = Files.createDirectories(store().resolve("srv"));
        RegistryException e = assertThrows(RegistryException.class,
                () -> BundleUnpacker.unpack(bundle, Files.size(bundle), target, BundleUnpacker.Limits.DEFAULT));
        assertEquals(target + ": already exists; refusing to unpack " + bundle + " over it", e.getMessage());
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
