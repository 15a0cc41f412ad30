package dev.mcpcontain.consent;

import java.nio.file.Path;

/**
 * A folder (or file) a server asks for itself, through its manifest: it reaches the server only with the user's
 * consent, given per server and per folder.
 *
 * @param path        absolute, as the manifest's values resolved it (not yet canonical)
 * @param requestedBy where the request comes from, e.g. {@code user_config.allowed_directories}
 * @param required    the server cannot work without it (a required option, or a path on its command line)
 */
public record FolderRequest(Path path, String requestedBy, boolean required) {

    public FolderRequest {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("folder request must be absolute: " + path);
        }
    }
}
