package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.PathRule;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the plan pieces need to know about the host's files and processes, asked in one place. The pieces
 * themselves do no I/O: given a policy, the launcher and this probe, a plan is a pure function, and a test can hand
 * them any host it likes. {@link LiveHostProbe} asks the real one.
 *
 * <p>Nothing here follows a symbolic link unless it says so: the helper mounts and rules exactly the objects named.
 */
interface HostProbe {

    /** What a path is, not following a link at its end. */
    enum Kind { ABSENT, DIRECTORY, SYMLINK, FILE, OTHER }

    Kind kind(Path path);

    /** A symbolic link's target, as written in the link. */
    String linkTarget(Path link);

    /** The path with every link resolved (toRealPath), or empty if that fails. */
    Optional<Path> realPath(Path path);

    /** Device and inode of the object itself (a link is not followed), or empty if nothing is there. */
    Optional<PathRule.FileKey> fileKey(Path path);

    /** Owner of the object itself (a link is not followed). */
    Owner owner(Path path);

    /** The names in a directory, sorted; this one follows a link (as the listing of /etc/ssh always has). */
    List<String> list(Path directory);

    /** Tasks (threads) the uid runs now, as RLIMIT_NPROC counts them. */
    long tasksOf(int uid);

    record Owner(int uid, int gid) {}

    /** A directory, or a link that leads to one. */
    default boolean isDirectoryFollowingLinks(Path path) {
        Kind kind = kind(path);
        if (kind == Kind.DIRECTORY) {
            return true;
        }
        if (kind != Kind.SYMLINK) {
            return false;
        }
        Optional<Path> real = realPath(path);
        return real.isPresent() && kind(real.get()) == Kind.DIRECTORY;
    }

    /** The real path of something the launch depends on: refused if it cannot be resolved. */
    default Path requireRealPath(Path path) {
        Optional<Path> real = realPath(path);
        if (real.isEmpty()) {
            throw new dev.mcpcontain.launch.ContainmentException(
                    dev.mcpcontain.launch.ContainmentException.Reason.LAUNCH_FAILED, "cannot resolve " + path);
        }
        return real.get();
    }

    static HostProbe live() {
        return LiveHostProbe.INSTANCE;
    }
}
