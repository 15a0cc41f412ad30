package dev.mcpcontain.platform.windows.acl;

import com.sun.jna.platform.win32.Guid;
import com.sun.jna.platform.win32.KnownFolders;
import com.sun.jna.platform.win32.Shell32Util;
import com.sun.jna.platform.win32.Win32Exception;
import dev.mcpcontain.policy.KnownFolderResolver;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.profile.KnownFolder;
import java.nio.file.Path;

/**
 * Known folders as the Windows shell resolves them (SHGetKnownFolderPath), so a grant of {@code documents} follows
 * a Documents folder the user moved, or one redirected to OneDrive. Loaded by name by the launcher on Windows.
 */
public final class ShellKnownFolders implements KnownFolderResolver {

    public ShellKnownFolders() {
        if (!com.sun.jna.Platform.isWindows()) {
            throw new UnsupportedOperationException("the shell's known folders exist on Windows only");
        }
    }

    static Guid.GUID folderId(KnownFolder folder) {
        return switch (folder) {
            case DOCUMENTS -> KnownFolders.FOLDERID_Documents;
            case DOWNLOADS -> KnownFolders.FOLDERID_Downloads;
            case DESKTOP -> KnownFolders.FOLDERID_Desktop;
            case PICTURES -> KnownFolders.FOLDERID_Pictures;
            case MUSIC -> KnownFolders.FOLDERID_Music;
            case VIDEOS -> KnownFolders.FOLDERID_Videos;
        };
    }

    @Override
    public Path resolve(KnownFolder folder) {
        try {
            return Path.of(Shell32Util.getKnownFolderPath(folderId(folder)));
        } catch (Win32Exception e) {
            throw PolicyException.refused("grant '" + folder.grantName() + "': Windows cannot resolve the known folder ("
                    + e.getMessage().strip() + ")");
        }
    }
}
