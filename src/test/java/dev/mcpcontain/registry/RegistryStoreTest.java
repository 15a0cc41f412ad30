package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryStoreTest {

    @TempDir
    Path temp;

    private static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    private static ServerEntry entry(String name) {
        return new ServerEntry(name, "command", "/bin/cat", List.of("/bin/cat"), null, "/usr/bin/cat", "ab", false,
                "default", List.of("documents:ro"), List.of(), List.of("A=1"), Map.of("k", List.of("v")), List.of(),
                "t0", "t0");
    }

    @Test
    void aBundleEntryKeepsItsSignatureAndAnOldEntryReadsWithoutOne() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp));
        dev.mcpcontain.bundle.SignatureStatus signature = new dev.mcpcontain.bundle.SignatureStatus("self-signed",
                "CN=Me", "CN=Me", "ab".repeat(32), "2036-01-01T00:00:00Z", "260101000000Z", "not in a trust store");
        ServerEntry bundle = new ServerEntry("b", "mcpb", "/x/b.mcpb", List.of(), "/code/b/manifest.json", "/code/b",
                "ab", false, "default", List.of(), List.of(), List.of(), Map.of(), List.of(), "t0", "t0", signature);
        store.save(bundle);
        assertEquals(bundle, store.get("b"));
        assertEquals(signature, store.get("b").withCode("cd", "t1").signature(), "a re-pin keeps the signature");
        store.save(entry("a"));
        assertEquals(null, store.get("a").signature());
    }

    @Test
    void savesListsFindsAndRemoves() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp));
        store.save(entry("b"));
        store.save(entry("a"));
        assertEquals(List.of("a", "b"), store.list().stream().map(ServerEntry::name).toList());
        assertEquals(entry("a"), store.get("a"));
        store.remove("a");
        assertFalse(store.exists("a"));
        assertThrows(RegistryException.class, () -> store.get("a"));
    }

    @Test
    void secretsAreOwnerOnly() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp));
        store.save(entry("s"));
        store.saveSecrets("s", Map.of("api_key", List.of("sekrit")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.secretsFile("s"))));
        assertEquals(Map.of("api_key", List.of("sekrit")), store.secrets("s"));
        assertFalse(Files.readString(store.serverDirectory("s").resolve("server.json")).contains("sekrit"));
    }

    @Test
    void badNamesAreRefused() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp));
        for (String bad : List.of("../x", "A", "", "a/b", "..")) {
            assertThrows(RegistryException.class, () -> store.serverDirectory(bad), bad);
        }
    }

    @Test
    void aPlantedSymlinkIsNotWrittenThrough() throws Exception {
        Path registry = Files.createDirectories(temp.resolve("registry"));
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(registry.resolve("x"), elsewhere);
        RegistryStore store = new RegistryStore(registry, uid(temp));
        RegistryException e = assertThrows(RegistryException.class, () -> store.save(entry("x")));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        assertEquals(0, Files.list(elsewhere).count());

        Path linkedRoot = temp.resolve("linked-registry");
        Files.createSymbolicLink(linkedRoot, elsewhere);
        assertThrows(RegistryException.class, () -> new RegistryStore(linkedRoot, uid(temp)).save(entry("y")));
        assertEquals(0, Files.list(elsewhere).count());
    }

    @Test
    void aFileLinkIsReplacedNotFollowed() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp));
        store.save(entry("z"));
        Path target = Files.writeString(temp.resolve("victim"), "untouched");
        Path file = store.serverDirectory("z").resolve("secrets.json");
        Files.createSymbolicLink(file, target);
        store.saveSecrets("z", Map.of("k", List.of("v")));
        assertEquals("untouched", Files.readString(target));
        assertFalse(Files.isSymbolicLink(file));
    }

    @Test
    void aFolderOwnedBySomeoneElseIsRefused() throws Exception {
        RegistryStore store = new RegistryStore(temp.resolve("registry"), uid(temp) + 4242);
        assertThrows(RegistryException.class, () -> store.save(entry("o")));
    }
}
