package dev.mcpcontain.profile;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The user folders a grant may name instead of a path. Each carries the key of the XDG user-dirs file (Linux)
 * and the name of the Windows known folder, so both back-ends resolve the same word to the desktop's folder.
 */
public enum KnownFolder {
    DOCUMENTS("XDG_DOCUMENTS_DIR", "Documents"),
    DOWNLOADS("XDG_DOWNLOAD_DIR", "Downloads"),
    DESKTOP("XDG_DESKTOP_DIR", "Desktop"),
    PICTURES("XDG_PICTURES_DIR", "Pictures"),
    MUSIC("XDG_MUSIC_DIR", "Music"),
    VIDEOS("XDG_VIDEOS_DIR", "Videos");

    private final String xdgKey;
    private final String defaultDirectory;

    KnownFolder(String xdgKey, String defaultDirectory) {
        this.xdgKey = xdgKey;
        this.defaultDirectory = defaultDirectory;
    }

    /** The key in {@code user-dirs.dirs}, e.g. {@code XDG_DOCUMENTS_DIR}. */
    public String xdgKey() {
        return xdgKey;
    }

    /** The folder under {@code $HOME} used when user-dirs.dirs does not name one. */
    public String defaultDirectory() {
        return defaultDirectory;
    }

    /** The word used in grants and profiles: {@code documents}, {@code downloads}, ... */
    public String grantName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<KnownFolder> byGrantName(String name) {
        return Arrays.stream(values()).filter(f -> f.grantName().equals(name)).findFirst();
    }

    public static String grantNames() {
        return Arrays.stream(values()).map(KnownFolder::grantName).collect(Collectors.joining(", "));
    }
}
