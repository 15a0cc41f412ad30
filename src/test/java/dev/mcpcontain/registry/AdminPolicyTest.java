package dev.mcpcontain.registry;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPolicyTest {

    private static final Path FILE = Path.of("/etc/mcp-contain/policy.json");

    @TempDir
    Path temp;

    private static AdminPolicy parse(String json) {
        return AdminPolicy.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(Runnable r) {
        PolicyException e = assertThrows(PolicyException.class, r::run);
        assertEquals(125, e.exitCode());
        return e.getMessage();
    }

    /** The bundle signers' list beside the policy is honoured only when nobody but root can change it. */
    @Test
    void theBundleSignersListMustBeRootsLikeThePolicy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0
                || "true".equalsIgnoreCase(System.getenv("CI")), "ownership by root needs root (CI runs as root)");
        Path dir = Files.createDirectories(temp.resolve("etc"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policyFile = dir.resolve("policy.json");
        AdminPolicy policy = AdminPolicy.parse(policyFile, "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), policy.bundleSignersFile());
        Path list = Files.writeString(dir.resolve("bundle-signers.pem"), "x");
        Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.of(list), policy.bundleSignersFile());
        Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-rw-rw-"));
        String m = refusal(policy::bundleSignersFile);
        assertTrue(m.startsWith(list + ": " + list + " is writable by group or others (mode 666)"), m);
    }

    @Test
    void unknownFieldNamesFileAndField() {
        String m = refusal(() -> parse("{\"allowServer\":[\"x\"]}"));
        assertTrue(m.startsWith(FILE + ": unknown field 'allowServer'"), m);
    }

    @Test
    void wrongTypesNameTheField() {
        assertTrue(refusal(() -> parse("{\"forbidNetworkHost\":\"yes\"}")).contains("forbidNetworkHost"));
        assertTrue(refusal(() -> parse("{\"denyGrants\":\"/root\"}")).contains("denyGrants"));
        assertTrue(refusal(() -> parse("{\"denyGrants\":[\"relative\"]}")).contains("absolute"));
        assertTrue(refusal(() -> parse("{\"forbidIsolation\":[\"weak\"]}")).contains("forbidIsolation"));
        assertTrue(refusal(() -> parse("{\"a\":1,\"a\":2}")).contains("not valid JSON"));
        assertTrue(refusal(() -> parse("[]")).contains("object"));
    }

    @Test
    void allowServersRefusesOthersAndAdHoc() {
        AdminPolicy p = parse("{\"allowServers\":[\"fs-*\",\"memory\"]}");
        assertDoesNotThrow(() -> p.checkServer(Optional.of("fs-notes"), false));
        assertDoesNotThrow(() -> p.checkServer(Optional.of("memory"), false));
        assertTrue(refusal(() -> p.checkServer(Optional.of("other"), false)).contains(FILE + ": allowServers"));
        assertTrue(refusal(() -> p.checkServer(Optional.empty(), false)).contains("allowServers"));
        assertDoesNotThrow(() -> parse("{}").checkServer(Optional.empty(), true));
    }

    @Test
    void signedBundlesProfilesGrantsMediation() {
        AdminPolicy p = parse("{\"requireSignedBundles\":true,\"forbidProfiles\":[\"dev\"],\"denyGrants\":[\"/srv/secret\"],"
                + "\"requireMediation\":true}");
        assertTrue(refusal(() -> p.checkServer(Optional.of("b"), true)).contains("requireSignedBundles"));
        assertDoesNotThrow(() -> p.checkServer(Optional.of("b"), false));
        assertTrue(refusal(() -> p.checkProfile("dev")).contains("forbidProfiles"));
        assertDoesNotThrow(() -> p.checkProfile("default"));
        assertTrue(refusal(() -> p.checkGrantPath(Path.of("/srv/secret/sub"))).contains("denyGrants"));
        assertTrue(refusal(() -> p.checkGrantPath(Path.of("/srv"))).contains("holds /srv/secret"));
        assertTrue(refusal(() -> p.checkGrantPath(Path.of("/srv/secret/../secret"))).contains("denyGrants"));
        assertDoesNotThrow(() -> p.checkGrantPath(Path.of("/srv/public")));
        assertTrue(p.mediation(false, Optional.empty()));
        assertTrue(refusal(() -> p.mediation(false, Optional.of(false))).contains("requireMediation"));
        assertFalse(parse("{}").mediation(false, Optional.empty()));
    }

    @Test
    void theFileMustBeRootOwnedAndNotWritableByOthers() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("etc"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = Files.writeString(dir.resolve("policy.json"), "{\"forbidNetworkHost\":true}");
        int me = (Integer) Files.getAttribute(file, "unix:uid");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(AdminPolicy.load(file, Optional.empty(), me).forbidNetworkHost());
        assertTrue(refusal(() -> AdminPolicy.load(file, Optional.empty(), me + 1)).contains("not root"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(refusal(() -> AdminPolicy.load(file, Optional.empty(), me)).contains("writable by group or others"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(refusal(() -> AdminPolicy.load(file, Optional.empty(), me)).contains(dir.toString()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = dir.resolve("link.json");
        Files.createSymbolicLink(link, file);
        assertTrue(refusal(() -> AdminPolicy.load(link, Optional.empty(), me)).contains("symlink"));
    }

    @Test
    void theOverrideCannotReplaceAnExistingSystemPolicy() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("etc"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path system = Files.writeString(dir.resolve("policy.json"), "{\"forbidNetworkHost\":true}");
        Path permissive = Files.writeString(dir.resolve("mine.json"), "{}");
        int me = (Integer) Files.getAttribute(system, "unix:uid");
        AdminPolicy p = AdminPolicy.load(system, Optional.of(permissive), me);
        assertEquals(Optional.of(system), p.file());
        assertTrue(p.forbidNetworkHost());
        AdminPolicy none = AdminPolicy.load(dir.resolve("absent.json"), Optional.empty(), me);
        assertFalse(none.inForce());
        assertEquals(Optional.of(permissive),
                AdminPolicy.load(dir.resolve("absent.json"), Optional.of(permissive), me).file());
        assertTrue(refusal(() -> AdminPolicy.load(dir.resolve("absent.json"), Optional.of(dir.resolve("nope")), me))
                .contains("no such policy file"));
        assertEquals(List.of("admin policy: " + system, "  forbidNetworkHost: true", "  requireMediation: false",
                "  requireSignedBundles: false"), p.describe());
    }
}
