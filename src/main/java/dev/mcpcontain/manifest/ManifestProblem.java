package dev.mcpcontain.manifest;

/**
 * One thing wrong with a manifest, located by its JSON path (e.g. {@code $.server.mcp_config.args[1]}).
 *
 * @param error false for a warning: the manifest is still used
 */
public record ManifestProblem(String path, String message, boolean error) {

    /** {@code FILE: $.path: message}, or with {@code warning:} for warnings. */
    public String format(String file) {
        return file + ": " + path + ": " + (error ? "" : "warning: ") + message;
    }
}
