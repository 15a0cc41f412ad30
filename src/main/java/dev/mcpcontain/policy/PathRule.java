package dev.mcpcontain.policy;

import dev.mcpcontain.profile.Access;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One path the server may reach, with why it is there. Paths are canonical (a user's grant holding a symbolic link
 * is refused unless it says {@code follow}); the backend binds exactly this path and never follows a link again.
 *
 * @param key the device and inode seen when the policy was made, if recorded: the helper verifies that the object
 *     it opens (without following links) is still this one, so a path swapped after the check is refused
 */
public record PathRule(Path path, Access access, Origin origin, String reason, Optional<FileKey> key) {

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

    /**
     * Device and inode of a file, as stat(2) reports them. equals and hashCode are written out: a record's own are
     * bootstrapped through invokedynamic on first use, which costs every launch that compares a grant measurable
     * start-up time.
     */
    public record FileKey(long dev, long ino) {
        @Override
        public boolean equals(Object other) {
            return other instanceof FileKey key && key.dev == dev && key.ino == ino;
        }

        @Override
        public int hashCode() {
            return 31 * Long.hashCode(dev) + Long.hashCode(ino);
        }
    }

    public PathRule {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path rule must be absolute: " + path);
        }
    }

    public PathRule(Path path, Access access, Origin origin, String reason) {
        this(path, access, origin, reason, Optional.empty());
    }

    public boolean writable() {
        return access == Access.READ_WRITE;
    }

    /** The user's own folders (not the program, not the agent home). */
    public boolean userFolder() {
        return origin == Origin.GRANT || origin == Origin.CONSENT;
    }
}
