package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.PathRule;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** A host made of a few declared paths: whatever is not declared is absent. */
final class FakeHostProbe implements HostProbe {

    private final Map<Path, Kind> kinds = new HashMap<>();
    private final Map<Path, String> links = new HashMap<>();
    private final Map<Path, PathRule.FileKey> keys = new HashMap<>();
    private final Map<Path, Owner> owners = new HashMap<>();
    private long tasks;
    private long nextInode = 100;

    FakeHostProbe dir(String path) {
        return put(Path.of(path), Kind.DIRECTORY);
    }

    FakeHostProbe file(String path) {
        return put(Path.of(path), Kind.FILE);
    }

    FakeHostProbe link(String path, String target) {
        links.put(Path.of(path), target);
        return put(Path.of(path), Kind.SYMLINK);
    }

    /** PATH becomes another name (a hard link) for OTHER. */
    FakeHostProbe sameFile(String path, String other) {
        file(path);
        keys.put(Path.of(path), keys.get(Path.of(other)));
        return this;
    }

    FakeHostProbe owner(String path, int uid, int gid) {
        owners.put(Path.of(path), new Owner(uid, gid));
        return this;
    }

    FakeHostProbe tasks(long running) {
        tasks = running;
        return this;
    }

    private FakeHostProbe put(Path path, Kind kind) {
        kinds.put(path, kind);
        keys.put(path, new PathRule.FileKey(7, nextInode++));
        if (path.getParent() != null && !kinds.containsKey(path.getParent())) {
            put(path.getParent(), Kind.DIRECTORY);
        }
        return this;
    }

    @Override
    public Kind kind(Path path) {
        return kinds.getOrDefault(path, Kind.ABSENT);
    }

    @Override
    public String linkTarget(Path link) {
        return links.get(link);
    }

    @Override
    public Optional<Path> realPath(Path path) {
        Path resolved = Path.of("/");
        for (Path name : path) {
            resolved = resolved.resolve(name);
            String target = links.get(resolved);
            if (target != null) {
                resolved = resolved.resolveSibling(target).normalize();
            }
        }
        return kind(resolved) == Kind.ABSENT ? Optional.empty() : Optional.of(resolved);
    }

    @Override
    public Optional<PathRule.FileKey> fileKey(Path path) {
        return kind(path) == Kind.ABSENT ? Optional.empty() : Optional.of(keys.get(path));
    }

    @Override
    public Owner owner(Path path) {
        return owners.getOrDefault(path, new Owner(0, 0));
    }

    @Override
    public List<String> list(Path directory) {
        Path real = realPath(directory).orElseThrow();
        TreeSet<String> names = new TreeSet<>();
        for (Path p : kinds.keySet()) {
            if (real.equals(p.getParent())) {
                names.add(p.getFileName().toString());
            }
        }
        return List.copyOf(names);
    }

    @Override
    public long tasksOf(int uid) {
        return tasks;
    }
}
