package dev.mcpcontain.policy;

import dev.mcpcontain.profile.KnownFolder;
import java.nio.file.Path;

/** Resolves a known-folder name to the folder the desktop uses for it (XDG on Linux, the shell on Windows). */
@FunctionalInterface
public interface KnownFolderResolver {
    Path resolve(KnownFolder folder);
}
