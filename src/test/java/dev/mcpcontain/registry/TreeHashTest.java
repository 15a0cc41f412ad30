package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeHashTest {

    @TempDir
    Path temp;
    Path tree;
    /**
     * When the fixture's writing began (epoch ns): a walk "just now" is a walk at this instant, not at the wall clock.
     * Every file of the fixture is at or after it, however long the writing took.
     */
    long writtenAt;

    @BeforeEach
    void tree() throws IOException {
        writtenAt = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        tree = Files.createDirectories(temp.resolve("pkg"));
        Files.createDirectories(tree.resolve("dist/lib"));
        Files.writeString(tree.resolve("package.json"), "{}");
        Files.writeString(tree.resolve("dist/index.js"), "console.log(1)");
        Files.writeString(tree.resolve("dist/lib/a.js"), "a");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("dist/index.js"));
    }

    private String hash() throws IOException {
        return TreeHash.of(tree, TreeHash.Cache.empty());
    }

    @Test
    void deterministicAndIndependentOfCreationOrder() throws IOException {
        Path other = Files.createDirectories(temp.resolve("other"));
        Files.createSymbolicLink(other.resolve("link"), Path.of("dist/index.js"));
        Files.createDirectories(other.resolve("dist/lib"));
        Files.writeString(other.resolve("dist/lib/a.js"), "a");
        Files.writeString(other.resolve("dist/index.js"), "console.log(1)");
        Files.writeString(other.resolve("package.json"), "{}");
        assertEquals(hash(), hash());
        assertEquals(hash(), TreeHash.of(other, TreeHash.Cache.empty()));
    }

    @Test
    void oneByteChangedChangesTheHash() throws IOException {
        String before = hash();
        Files.writeString(tree.resolve("dist/lib/a.js"), "b");
        assertNotEquals(before, hash());
    }

    @Test
    void modeRenameAddAndSymlinkTargetCount() throws IOException {
        String before = hash();
        Files.setPosixFilePermissions(tree.resolve("dist/index.js"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String chmod = hash();
        assertNotEquals(before, chmod);
        Files.move(tree.resolve("dist/lib/a.js"), tree.resolve("dist/lib/b.js"));
        String renamed = hash();
        assertNotEquals(chmod, renamed);
        Files.delete(tree.resolve("link"));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("/etc/passwd"));
        String relinked = hash();
        assertNotEquals(renamed, relinked);
        Files.createDirectories(tree.resolve("empty"));
        assertNotEquals(relinked, hash());
    }

    @Test
    void symlinksAreNotFollowed() throws IOException {
        Path outside = Files.writeString(temp.resolve("outside.js"), "x");
        Files.createSymbolicLink(tree.resolve("out"), outside);
        String before = hash();
        Files.writeString(outside, "changed outside the tree");
        assertEquals(before, hash(), "the link is hashed by its target path, not the file it points at");
    }

    @Test
    void unchangedTreeReadsNothingFromTheCache() throws IOException {
        TreeHash.Cache cache = TreeHash.Cache.empty();
        String first = TreeHash.of(tree, cache, later());
        assertEquals(3, cache.computed());
        TreeHash.Cache again = new TreeHash.Cache(cache.files());
        assertEquals(first, TreeHash.of(tree, again, later()));
        assertEquals(0, again.computed(), "nothing re-read when metadata is unchanged");
    }

    @Test
    void aRewriteWithTheOldMtimeIsStillSeen() throws IOException {
        TreeHash.Cache cache = TreeHash.Cache.empty();
        String first = TreeHash.of(tree, cache, later());
        Path file = tree.resolve("dist/index.js");
        FileTime mtime = Files.getLastModifiedTime(file);
        Files.writeString(file, "console.log(2)"); // same size
        Files.setLastModifiedTime(file, mtime);     // mtime set back; ctime moved
        TreeHash.Cache reused = new TreeHash.Cache(cache.files());
        assertNotEquals(first, TreeHash.of(tree, reused, later()));
        assertEquals(1, reused.computed());
    }

    @Test
    void aSingleBinaryIsItsOwnTree() throws IOException {
        Path binary = tree.resolve("dist/index.js");
        String one = TreeHash.of(binary, TreeHash.Cache.empty());
        Files.writeString(binary, "console.log(3)");
        assertNotEquals(one, TreeHash.of(binary, TreeHash.Cache.empty()));
    }

    @Test
    void aFifoIsNotCode() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        assertThrows(IOException.class, this::hash);
    }

    @Test
    void theMetadataDigestMatchesAnUnchangedTreeAndMovesWithEveryKindOfChange() throws IOException {
        TreeHash.Cache cache = TreeHash.Cache.empty();
        TreeHash.of(tree, cache, later());
        String recorded = cache.metadataDigest();
        assertEquals(64, recorded.length());
        assertEquals(recorded, TreeHash.metadataDigest(tree), "nothing changed: the walk alone gives the same digest");
        Path file = tree.resolve("dist/lib/a.js");
        FileTime mtime = Files.getLastModifiedTime(file);
        Files.writeString(file, "b");
        Files.setLastModifiedTime(file, mtime);
        // Same size, mtime set back: ctime (no unprivileged call sets it) still moved.
        assertNotEquals(recorded, TreeHash.metadataDigest(tree), "content written, mtime restored");
        TreeHash.of(tree, cache, later());
        String afterWrite = cache.metadataDigest();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotEquals(afterWrite, TreeHash.metadataDigest(tree), "chmod");
        TreeHash.of(tree, cache, later());
        String afterChmod = cache.metadataDigest();
        Files.delete(tree.resolve("link"));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("/etc/passwd"));
        assertNotEquals(afterChmod, TreeHash.metadataDigest(tree), "re-linked");
        TreeHash.of(tree, cache, later());
        String afterLink = cache.metadataDigest();
        Files.createDirectories(tree.resolve("new"));
        assertNotEquals(afterLink, TreeHash.metadataDigest(tree), "an entry added");
    }

    @Test
    void theTreeHashIsTheSameWhateverTheCacheHeld() throws IOException {
        TreeHash.Cache cache = TreeHash.Cache.empty();
        String cold = TreeHash.of(tree, cache, later());
        assertEquals(cold, TreeHash.of(tree, cache, later()));
        TreeHash.Cache reused = new TreeHash.Cache(cache.files());
        assertEquals(cold, TreeHash.of(tree, reused, later()));
        assertEquals(0, reused.computed(), "a warm walk reads no file");
    }

    /** A walk well after the fixture was written: nothing in it is racy any more. */
    private static long later() {
        return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) + 2 * TreeHash.RACY_WINDOW_NS;
    }

    @Test
    void aFileChangedJustNowIsHashedButNeitherCachedNorVouchedForByTheDigest() throws IOException {
        // Walked when the fixture was written, not at the wall clock: a test thread stalled for longer than the racy
        // window (a loaded machine) would otherwise walk files that are no longer racy.
        TreeHash.Cache cache = TreeHash.Cache.empty();
        String now = TreeHash.of(tree, cache, writtenAt);
        assertEquals(TreeHash.of(tree, TreeHash.Cache.empty(), later()), now, "the hash itself does not depend on it");
        assertEquals("", cache.metadataDigest(), "a digest over files written within the window would vouch for a"
                + " same-size write in the same timestamp tick");
        TreeHash.Cache reused = new TreeHash.Cache(cache.files());
        TreeHash.of(tree, reused, writtenAt);
        assertEquals(3, reused.computed(), "the racy files are read again");
    }
}
