package dev.mcpcontain.policy;

import dev.mcpcontain.profile.Access;
import java.nio.file.Path;

/**
 * One path the server may reach, with why it is there. Paths are canonical (symlinks resolved when the policy
 * was made); the backend binds exactly this path and never follows a link again.
 */
public record PathRule(Path path, Access access, Origin origin, String reason) {

    public enum Origin {
        /** Granted on the command line or by the profile: the user's own decision. */
        GRANT,
        /** Granted through consent to a folder the server's manifest asked for. */
        CONSENT,
        /** The server's own program: its executable, or its package root for interpreters. */
        PROGRAM,
        /** The persistent per-server home. */
        AGENT_HOME
    }

    public PathRule {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path rule must be absolute: " + path);
        }
    }

    public boolean writable() {
        return access == Access.READ_WRITE;
    }
}
