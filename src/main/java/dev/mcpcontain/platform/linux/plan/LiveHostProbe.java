package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.policy.PathRule;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The real host, read through java.nio. A file that cannot be read where the launch depends on it refuses the
 * launch (LAUNCH_FAILED, naming the file); one that is merely absent is an answer.
 */
final class LiveHostProbe implements HostProbe {

    static final LiveHostProbe INSTANCE = new LiveHostProbe();

    private LiveHostProbe() {}

    @Override
    public Kind kind(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isSymbolicLink() ? Kind.SYMLINK : a.isDirectory() ? Kind.DIRECTORY
                    : a.isRegularFile() ? Kind.FILE : Kind.OTHER;
        } catch (IOException e) {
            return Kind.ABSENT;
        }
    }

    @Override
    public String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot read link " + link, e);
        }
    }

    @Override
    public Optional<Path> realPath(Path path) {
        try {
            return Optional.of(path.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<PathRule.FileKey> fileKey(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            long dev = ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long ino = ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            return Optional.of(new PathRule.FileKey(dev, ino));
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED,
                    "cannot stat " + path + " to bind it: " + e.getMessage(), e);
        }
    }

    @Override
    public Owner owner(Path path) {
        try {
            return new Owner((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED,
                    "cannot read the owner of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(Path directory) {
        // A loop, not a stream: this runs on every launch, where each lambda call site costs start-up time.
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            List<String> names = new ArrayList<>();
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
            Collections.sort(names);
            return Collections.unmodifiableList(names);
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.LAUNCH_FAILED, "cannot list " + directory, e);
        }
    }

    @Override
    public long tasksOf(int uid) {
        return TaskCounter.tasksOf(uid);
    }
}
