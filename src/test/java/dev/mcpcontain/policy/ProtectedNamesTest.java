package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.ProfileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    void aProjectFolderAnnouncesOnlyWhatIsTrustedThere() throws IOException {
        Path home = Files.createDirectories(dir.toRealPath().resolve("home"));
        Path project = Files.createDirectories(dir.toRealPath().resolve("project"));
        Files.createDirectories(project.resolve(".git/hooks"));
        Files.writeString(project.resolve(".mcp.json"), "{}");
        List<String> notices = ProtectedNames.absentInWritableGrants(policy(home, project + ":rw"), home);
        assertEquals(List.of("in the writable grant " + project + ", .git/config, .vscode, .cursor, .claude do not exist,"
                + " so cannot be kept read-only: the server could create them (grant read-only to prevent this)"), notices);
    }

    @Test
    void theHomeAnnouncesShellFilesAndReadOnlyGrantsNothing() throws IOException {
        Path home = Files.createDirectories(dir.toRealPath().resolve("home"));
        Files.writeString(home.resolve(".bashrc"), "");
        String notice = ProtectedNames.absentInWritableGrants(policy(home, "~:rw"), home).get(0);
        assertTrue(notice.contains(".profile") && notice.contains(".config/autostart"), notice);
        assertTrue(!notice.contains(".bashrc,") && !notice.contains(".git/"), notice);
        assertEquals(List.of(), ProtectedNames.absentInWritableGrants(policy(home, "~:ro"), home));
    }
}
