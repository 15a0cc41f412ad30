package dev.mcpcontain.policy;

import dev.mcpcontain.profile.KnownFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Known folders the way xdg-user-dirs defines them: {@code $XDG_CONFIG_HOME/user-dirs.dirs} holds lines such as
 * {@code XDG_DOCUMENTS_DIR="$HOME/Dokumente"}; a missing file or key means {@code $HOME/Documents}. Only
 * {@code $HOME/...} and absolute values are valid there (as xdg-user-dirs documents); anything else is ignored.
 */
public final class XdgUserDirs implements KnownFolderResolver {

    private final Path home;
    private final Map<KnownFolder, Path> configured = new EnumMap<>(KnownFolder.class);

    public XdgUserDirs(HostEnvironment host) {
        this.home = host.home();
        // Plain code, no Optional chain: this runs on every launch, where each lambda call site costs start-up time.
        Optional<String> xdg = host.variable("XDG_CONFIG_HOME");
        Path config = xdg.isPresent() && Path.of(xdg.get()).isAbsolute() ? Path.of(xdg.get())
                : home.resolve(".config");
        Path file = config.resolve("user-dirs.dirs");
        if (Files.isRegularFile(file)) {
            try {
                parse(Files.readAllLines(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                // Unreadable file: the desktop would fall back to the defaults too.
            }
        }
    }

    private void parse(List<String> lines) {
        for (String raw : lines) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = unquote(line.substring(eq + 1).strip());
            for (KnownFolder folder : KnownFolder.values()) {
                if (folder.xdgKey().equals(key)) {
                    Path resolved = expand(value);
                    if (resolved != null) {
                        configured.put(folder, resolved);
                    }
                }
            }
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private Path expand(String value) {
        if (value.equals("$HOME")) {
            return home;
        }
        if (value.startsWith("$HOME/")) {
            return home.resolve(value.substring(6));
        }
        if (value.startsWith("/")) {
            return Path.of(value);
        }
        return null;
    }

    @Override
    public Path resolve(KnownFolder folder) {
        return configured.getOrDefault(folder, home.resolve(folder.defaultDirectory()));
    }
}
