package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import dev.mcpcontain.profile.ProfileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyResolverTest {

    @TempDir
    Path home;

    private HostEnvironment host;
    private PolicyResolver resolver;
    private final ProfileStore profiles = new ProfileStore(Optional.empty());

    @BeforeEach
    void setUp() throws IOException {
        home = home.toRealPath();
        Files.createDirectories(home.resolve("Documents"));
        Files.createDirectories(home.resolve("Dokumente"));
        host = TestHosts.user(home, Map.of());
        resolver = new PolicyResolver(host, new XdgUserDirs(host));
    }

    private ContainmentPolicy resolve(String profile, List<String> command, List<String> grants, List<String> env) {
        RunRequest request = new RunRequest(command, grants.stream().map(GrantSpec::parse).toList(), List.of(),
                Optional.empty(), env, Optional.empty(), Optional.empty());
        return resolver.resolve(profiles.resolve(profile), request);
    }

    private static PathRule rule(ContainmentPolicy policy, Path path) {
        return policy.paths().stream().filter(r -> r.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(path + " not in " + policy.paths()));
    }

    @Test
    void knownFolderGrantResolvesThroughXdgUserDirs() throws IOException {
        Files.createDirectories(home.resolve(".config"));
        Files.writeString(home.resolve(".config/user-dirs.dirs"), "# localised\nXDG_DOCUMENTS_DIR=\"$HOME/Dokumente\"\n");
        resolver = new PolicyResolver(host, new XdgUserDirs(host));
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of("documents:rw"), List.of());
        PathRule grant = rule(p, home.resolve("Dokumente"));
        assertEquals(Access.READ_WRITE, grant.access());
        assertEquals(PathRule.Origin.GRANT, grant.origin());
    }

    @Test
    void grantsDefaultToReadOnlyAndTheHomeStaysHidden() {
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of("documents"), List.of());
        assertEquals(Access.READ_ONLY, rule(p, home.resolve("Documents")).access());
        assertFalse(p.paths().stream().anyMatch(r -> r.path().equals(home)), "the home itself is never granted");
        assertTrue(p.agentHome().startsWith(home.resolve(".local/share/mcp-contain/homes")));
        assertEquals(Access.READ_WRITE, rule(p, p.agentHome()).access());
    }

    @Test
    void missingGrantIsRefusedWithWhatToDo() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("/bin/true"), List.of("downloads"), List.of()));
        assertEquals(125, e.exitCode());
        assertEquals("--grant: grant 'downloads:ro': downloads (" + home.resolve("Downloads")
                + ") does not exist (create it or remove the grant)", e.getMessage());
    }

    @Test
    void rootGrantIsRefused() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("/bin/true"), List.of("/"), List.of()));
        assertTrue(e.getMessage().contains("would expose the whole filesystem"), e.getMessage());
    }

    @Test
    void aSymlinkInAGrantIsRefusedUnlessTheGrantSaysFollow() throws IOException {
        Path target = Files.createDirectories(home.resolve("real"));
        Files.createDirectories(target.resolve("sub"));
        Files.createSymbolicLink(home.resolve("link"), target);
        for (String grant : List.of(home.resolve("link") + ":rw", home.resolve("link/sub") + ":ro")) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> resolve("default", List.of("/bin/true"), List.of(grant), List.of()));
            assertTrue(e.getMessage().contains(home.resolve("link") + " is a symbolic link (to " + target + ")")
                    && e.getMessage().contains("',follow'"), e.getMessage());
        }
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of(home.resolve("link") + ":rw,follow"), List.of());
        PathRule rule = rule(p, target);
        assertEquals(Access.READ_WRITE, rule.access());
        assertTrue(rule.key().isPresent(), "the device and inode checked now travel to the helper");
    }

    @Test
    void systemDirectoriesAndAnythingHoldingOneAreRefused() throws IOException {
        for (String grant : List.of("/etc", "/usr", "/var", "/proc", "/etc:rw", "/run")) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> resolve("default", List.of("/bin/true"), List.of(grant), List.of()));
            assertTrue(e.getMessage().contains("is the system directory"), e.getMessage());
        }
        Files.createSymbolicLink(home.resolve("etc-link"), Path.of("/etc"));
        PolicyException e = assertThrows(PolicyException.class, () -> resolve("default", List.of("/bin/true"),
                List.of(home.resolve("etc-link") + ":ro,follow"), List.of()));
        assertTrue(e.getMessage().contains("is the system directory /etc"), e.getMessage());
        // control: a sub-folder of a system directory may be granted (masks apply inside it)
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of("/usr/share"), List.of());
        assertEquals(Access.READ_ONLY, rule(p, Path.of("/usr/share")).access());
    }

    @Test
    void mcpContainsOwnStateIsNeverGranted() throws IOException {
        Path state = Files.createDirectories(home.resolve(".local/share/mcp-contain/homes/other"));
        Path config = Files.createDirectories(home.resolve(".config/mcp-contain"));
        for (Path grant : List.of(state, state.getParent().getParent(), config)) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> resolve("default", List.of("/bin/true"), List.of(grant + ":ro"), List.of()));
            assertTrue(e.getMessage().contains("mcp-contain's own state or configuration"), e.getMessage());
        }
    }

    @Test
    void aGitWorkTreeIsRefusedWritableUnlessUnprotectedAndThenItsGitIsReadOnlyAsAWhole() throws IOException {
        Path project = Files.createDirectories(home.resolve("project"));
        Files.createDirectories(project.resolve(".git/hooks"));
        Files.writeString(project.resolve(".git/config"), "[core]\n");
        Files.writeString(project.resolve(".mcp.json"), "{}");
        Path nested = Files.createDirectories(project.resolve("vendor/lib"));
        Files.writeString(nested.resolve(".git"), "gitdir: ../../.git/modules/lib\n");
        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("/bin/true"), List.of(project + ":rw"), List.of()));
        assertTrue(e.getMessage().contains("is the git work tree " + project)
                && e.getMessage().contains(project + ":rw,unprotected"), e.getMessage());
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of(project + ":rw,unprotected"), List.of());
        assertEquals(Access.READ_WRITE, rule(p, project).access());
        for (String inside : List.of(".git", ".mcp.json", "vendor/lib/.git")) {
            assertEquals(Access.READ_ONLY, rule(p, project.resolve(inside)).access(), inside);
        }
        // the folders holding a pinned gitfile are mount points of their own: they cannot be renamed away
        assertEquals(Access.READ_WRITE, rule(p, project.resolve("vendor")).access());
        assertEquals(Access.READ_WRITE, rule(p, project.resolve("vendor/lib")).access());
        assertFalse(p.paths().stream().anyMatch(r -> r.path().equals(project.resolve(".bashrc"))), "only what exists");
        // read-only grants are never refused for their shape
        resolve("default", List.of("/bin/true"), List.of(project + ":ro"), List.of());
    }

    @Test
    void aProtectedNameThatIsASymlinkIsRefusedPlainly() throws IOException {
        Path project = Files.createDirectories(home.resolve("dotfiles-project"));
        Path real = Files.writeString(Files.createDirectories(home.resolve("dotfiles")).resolve("mcp.json"), "{}\n");
        Files.createSymbolicLink(project.resolve(".mcp.json"), real);
        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("/bin/true"), List.of(project + ":rw"), List.of()));
        assertTrue(e.getMessage().contains(".mcp.json") && e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals(PolicyException.REFUSED, e.exitCode());
    }

    @Test
    void environmentIsAnAllowList() {
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of(), List.of());
        Map<String, String> env = p.environment();
        assertEquals(p.agentHome().toString(), env.get("HOME"));
        assertEquals("C.UTF-8", env.get("LANG"));
        assertEquals("de_DE.UTF-8", env.get("LC_TIME"));
        for (String secret : List.of("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS",
                "XDG_RUNTIME_DIR")) {
            assertFalse(env.containsKey(secret), secret);
        }
        assertFalse(env.containsValue("ghp_secret"));
    }

    @Test
    void envOptionPassesOrSetsAndMarksSecretsSensitive() {
        ContainmentPolicy p = resolve("default", List.of("/bin/true"), List.of(), List.of("GITHUB_TOKEN", "MODE=fast"));
        assertEquals("ghp_secret", p.environment().get("GITHUB_TOKEN"));
        assertEquals("fast", p.environment().get("MODE"));
        assertTrue(p.sensitiveNames().contains("GITHUB_TOKEN"));
        assertFalse(p.sensitiveNames().contains("MODE"));
        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("/bin/true"), List.of(), List.of("NOT_SET_ANYWHERE")));
        assertEquals("--env NOT_SET_ANYWHERE: not set in the launcher's environment (use --env NOT_SET_ANYWHERE=VALUE to set it)",
                e.getMessage());
        assertThrows(PolicyException.class, () -> resolve("default", List.of("/bin/true"), List.of(), List.of("1BAD=x")));
    }

    @Test
    void missingProgramIs127AndNotExecutableIs126() throws IOException {
        PolicyException missing = assertThrows(PolicyException.class,
                () -> resolve("default", List.of("no-such-program-xyz"), List.of(), List.of()));
        assertEquals(127, missing.exitCode());
        assertEquals("program 'no-such-program-xyz' not found on PATH (searched 3 directories: /usr/local/bin, /usr/bin,"
                + " /bin); give its path to run it from elsewhere", missing.getMessage());
        Path plain = Files.writeString(home.resolve("plain.txt"), "x");
        PolicyException notExec = assertThrows(PolicyException.class,
                () -> resolve("default", List.of(plain.toString()), List.of(), List.of()));
        assertEquals(126, notExec.exitCode());
    }

    @Test
    void networkAndIsolationOverridesApply() {
        RunRequest request = new RunRequest(List.of("/bin/true"), List.of(), List.of(), Optional.of(Profile.Network.HOST),
                List.of(), Optional.of("my-server"), Optional.of(Profile.Isolation.LANDLOCK));
        ContainmentPolicy p = resolver.resolve(profiles.resolve("strict"), request);
        assertEquals(Profile.Network.HOST, p.network());
        assertEquals(Profile.Isolation.LANDLOCK, p.isolation());
        assertEquals("my-server", p.serverId());
        assertEquals(512L << 20, p.limits().memoryBytes());
    }

    @Test
    void workingDirectoryIsTheHomeUnlessGranted() throws IOException {
        ContainmentPolicy hidden = resolve("default", List.of("/bin/true"), List.of(), List.of());
        assertEquals(hidden.agentHome(), hidden.workingDirectory(), "the user's cwd (the home) is not visible");
        ContainmentPolicy granted = resolve("default", List.of("/bin/true"), List.of("~:ro"), List.of());
        assertEquals(home, granted.workingDirectory());
    }
}
