package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.ProfileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtectedNamesTest {

    @TempDir
    Path dir;

    private ContainmentPolicy policy(Path home, String... grants) {
        HostEnvironment host = TestHosts.user(home, Map.of());
        RunRequest request = new RunRequest(List.of("/bin/true"), List.of(grants).stream().map(GrantSpec::parse).toList(),
                List.of(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        return new PolicyResolver(host, new XdgUserDirs(host)).resolve(new ProfileStore(Optional.empty()).resolve("default"), request);
    }

    @Test
    void oneListEachNameOncePerScopeEachWithAReason() {
        Set<String> seen = new HashSet<>();
        for (ProtectedNames.Name name : ProtectedNames.ALL) {
            assertTrue(seen.add(name.where() + name.name()), "listed twice: " + name);
            assertTrue(!name.why().isBlank() && !name.name().startsWith("/") && !name.name().endsWith("/"), name.toString());
        }
        for (String needed : List.of(".bashrc", ".bash_aliases", ".gitconfig", ".config/git", ".ssh", ".config/autostart",
                ".config/systemd", ".npmrc", ".config/pip", ".vimrc", ".profile", ".zshenv", ".config/mcp-contain")) {
            assertTrue(seen.contains("HOME" + needed), needed);
        }
        for (String needed : List.of(".git", ".mcp.json", ".vscode", ".envrc", ".claude")) {
            assertTrue(seen.contains("PROJECT" + needed), needed);
        }
    }

    @Test
    void onlyAnUnprotectedGrantIsAnnounced() throws IOException {
        Path home = Files.createDirectories(dir.toRealPath().resolve("home"));
        Path folder = Files.createDirectories(dir.toRealPath().resolve("folder"));
        // Protected: the create guard keeps absent names from appearing, so there is nothing to warn about.
        assertEquals(List.of(), ProtectedNames.absentInWritableGrants(policy(home, folder + ":rw"), home));
        assertEquals(List.of(), ProtectedNames.absentInWritableGrants(policy(home, folder + ":ro"), home));
        List<String> notices = ProtectedNames.absentInWritableGrants(policy(home, folder + ":rw,unprotected"), home);
        assertEquals(1, notices.size(), notices::toString);
        assertTrue(notices.get(0).startsWith("the writable grant " + folder + " is unprotected"), notices.get(0));
    }

    @Test
    void theCreateGuardKeepsProjectNamesHeadAndSingleHomeNamesButNotBin() {
        List<String> names = ProtectedNames.createGuarded();
        for (String needed : List.of(".git", "head", ".envrc", ".vscode", ".mcp.json", ".npmrc", ".gitmodules",
                ".bashrc", ".gitconfig", ".profile")) {
            assertTrue(names.contains(needed), needed + " in " + names);
        }
        assertTrue(!names.contains("bin"), names::toString);
        assertTrue(!names.contains("node_modules"), "npm install in a grant makes node_modules: " + names);
        for (String name : names) {
            assertEquals(name.toLowerCase(java.util.Locale.ROOT), name);
            assertTrue(!name.contains("/"), name);
        }
    }
}
