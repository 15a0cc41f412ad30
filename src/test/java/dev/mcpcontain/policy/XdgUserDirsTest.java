package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcpcontain.profile.KnownFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XdgUserDirsTest {

    @TempDir
    Path home;

    @Test
    void readsLocalisedRelocatedAndSpacedEntriesAndDefaultsTheRest() throws IOException {
        Path config = Files.createDirectories(home.resolve("cfg"));
        Files.writeString(config.resolve("user-dirs.dirs"), """
                # This file is written by xdg-user-dirs-update
                XDG_DOCUMENTS_DIR="$HOME/Dokumente"
                XDG_DOWNLOAD_DIR="/data/My Downloads"
                XDG_MUSIC_DIR="relative/ignored"
                XDG_DESKTOP_DIR="$HOME"
                """);
        HostEnvironment host = TestHosts.user(home, Map.of("XDG_CONFIG_HOME", config.toString()));
        XdgUserDirs dirs = new XdgUserDirs(host);
        assertEquals(home.resolve("Dokumente"), dirs.resolve(KnownFolder.DOCUMENTS));
        assertEquals(Path.of("/data/My Downloads"), dirs.resolve(KnownFolder.DOWNLOADS));
        assertEquals(home.resolve("Music"), dirs.resolve(KnownFolder.MUSIC), "invalid entries fall back to the default");
        assertEquals(home, dirs.resolve(KnownFolder.DESKTOP));
        assertEquals(home.resolve("Videos"), dirs.resolve(KnownFolder.VIDEOS));
    }
}
