package dev.mcpcontain.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checks on the path of one grant (issue 7, classes 4 and 5): it names exactly the object it binds (no symbolic
 * link on the way unless the grant says {@code follow}), it is not a system directory or anything holding one, and
 * it is not mcp-contain's own state.
 */
final class GrantPaths {

    /**
     * Whole system directories: granting one (or anything holding one) would expose or, through a root launcher's
     * idmapped mount, hand over the host's configuration, devices, kernel interfaces, other users' runtime files or
     * root's home. Sub-folders may be granted; the masks of the root filesystem are applied inside them too.
     */
    static final List<String> SYSTEM_DIRECTORIES = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64",
            "/libx32", "/proc", "/root", "/run", "/sbin", "/snap", "/sys", "/usr", "/var");

    private GrantPaths() {}

    /** Refuses when NAMED (absolute, normalized) reaches REAL through a symbolic link anywhere on the way. */
    static void refuseSymlinks(Path named, Path real, String spec) {
        if (named.equals(real)) {
            return;
        }
        Path walked = named.getRoot();
        for (Path part : named) {
            walked = walked.resolve(part);
            if (Files.isSymbolicLink(walked)) {
                throw PolicyException.refused(spec + ": " + walked + " is a symbolic link (to " + linkTarget(walked)
                        + "), so the grant would bind " + real + ", not what it names; grant " + real
                        + " itself, or add ',follow' to the grant to follow the link");
            }
        }
        // No link on the way but still a different path ("..", case): bind what was checked, nothing else.
        throw PolicyException.refused(spec + ": " + named + " resolves to " + real + "; grant " + real + " itself");
    }

    /** Refuses system directories, anything holding one, and mcp-contain's own state or configuration. */
    static void refuseSystem(Path real, String spec, List<Path> ownState) {
        for (String system : SYSTEM_DIRECTORIES) {
            Path dir = Path.of(system);
            boolean same = real.equals(dir) || dir.startsWith(real) || sameObject(real, dir);
            if (same) {
                throw PolicyException.refused(spec + ": " + real + (real.equals(dir) || sameObject(real, dir)
                        ? " is the system directory " + system : " holds the system directory " + system)
                        + ", which no server may be given; grant the sub-folder it needs");
            }
        }
        for (Path own : ownState) {
            if (real.startsWith(own) || sameObject(real, own)) {
                throw PolicyException.refused(spec + ": " + real + " is mcp-contain's own state or configuration ("
                        + own + "), which no server may be given");
            }
        }
    }

    /** One line of /proc/self/mountinfo: the filesystem's device, the folder of it mounted, and where. */
    record Mount(String device, Path root, Path point) {}

    /**
     * Refuses a grant one of whose other names (through a mount: a bind mount, or the same filesystem mounted
     * twice) is, holds or lies in "/", a system directory, a home or mcp-contain's own state, and a grant holding a
     * mount point that is such a place under another name: the masks, the refusals and the protected names all go by
     * name, and a bind of /etc/security (or /etc/cron.d) at /srv/x is that folder under a name none of them looks
     * at. A directory has no second name but through a mount, so the mounts of this namespace are all there is to
     * compare. Grant such a place by its own name.
     */
    static void refuseAliases(Path real, String spec, List<Path> guarded, List<Mount> mounts) {
        for (Path name : otherNames(real, mounts)) {
            Path place = guardedPlace(name, guarded);
            if (place != null) {
                throw PolicyException.refused(spec + ": " + real + " is another name (through a mount) of " + name
                        + (name.equals(place) ? "" : ", in " + place) + ", whose protections (masks, refusals,"
                        + " protected names) go by name; grant it as " + name + ", if at all");
            }
        }
        for (Mount mount : mounts) {
            if (!mount.point().startsWith(real) || mount.point().equals(real)) {
                continue;
            }
            for (Path name : namesOf(mount.device(), mount.root(), mounts)) {
                Path place = name.equals(mount.point()) ? null : guardedPlace(name, guarded);
                if (place != null) {
                    throw PolicyException.refused(spec + ": " + real + " holds " + mount.point() + ", another name"
                            + " (a mount) of " + name + (name.equals(place) ? "" : ", in " + place) + ", whose"
                            + " protections (masks, refusals, protected names) go by name; unmount it, or grant a"
                            + " folder that does not hold it");
                }
            }
        }
    }

    /** The guarded place NAME is, holds or lies in ("/" only as itself), or null. */
    private static Path guardedPlace(Path name, List<Path> guarded) {
        if (name.getParent() == null) {
            return name;
        }
        for (Path place : guarded) {
            if (place.getParent() != null && (name.startsWith(place) || place.startsWith(name))) {
                return place;
            }
        }
        return null;
    }

    /** Every name of PATH through the mounts of its filesystem, other than PATH itself. */
    static List<Path> otherNames(Path path, List<Mount> mounts) {
        Mount on = null;
        for (Mount mount : mounts) { // the last of the longest: a later mount on the same point lies on top
            if (path.startsWith(mount.point()) && (on == null
                    || mount.point().getNameCount() >= on.point().getNameCount())) {
                on = mount;
            }
        }
        if (on == null) {
            return List.of();
        }
        Path inFs = on.root().resolve(on.point().relativize(path));
        List<Path> names = new java.util.ArrayList<>();
        for (Path name : namesOf(on.device(), inFs, mounts)) {
            if (!name.equals(path) && !names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** Where IN_FS (a path inside the filesystem DEVICE) appears through each mount of that filesystem. */
    private static List<Path> namesOf(String device, Path inFs, List<Mount> mounts) {
        List<Path> names = new java.util.ArrayList<>();
        for (Mount mount : mounts) {
            if (mount.device().equals(device) && inFs.startsWith(mount.root())) {
                names.add(mount.point().resolve(mount.root().relativize(inFs)));
            }
        }
        return names;
    }

    /**
     * Refuses a grant holding the unix socket of a running program: connecting is not writing, so a read-only grant
     * does not stop it, and a program listening there may do what it is asked as its own user (docker's socket is
     * root; systemd --user's, the session bus, gpg-agent and ssh-agent act as the user). LISTENING: the bound paths of
     * /proc/net/unix, by folder; each one below GRANT that is a socket on disk counts.
     */
    static void refuseSockets(Path grant, String spec, String optIn, Map<Path, List<Path>> listening) {
        for (Map.Entry<Path, List<Path>> dir : listening.entrySet()) {
            if (!dir.getKey().startsWith(grant)) {
                continue;
            }
            for (Path socket : dir.getValue()) {
                if (isSocket(socket)) {
                    throw PolicyException.refused(spec + ": " + grant + " holds " + socket + ", the unix socket of a"
                            + " running program; the server could connect to it (a connection is no write, so :ro does"
                            + " not stop it) and have that program act for it; grant a folder that does not hold it, or"
                            + " write '" + optIn + "' to allow it");
                }
            }
        }
    }

    /** Bound pathname sockets of this network namespace (/proc/net/unix), grouped by folder. */
    static Map<Path, List<Path>> listeningSockets() {
        Map<Path, List<Path>> byDir = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] fields = line.trim().split("\\s+", 8);
                if (fields.length == 8 && fields[7].startsWith("/")) {
                    Path socket = Path.of(fields[7]).normalize();
                    if (socket.getParent() != null) {
                        byDir.computeIfAbsent(socket.getParent(), k -> new java.util.ArrayList<>()).add(socket);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/net/unix: nothing listed to compare
        }
        return byDir;
    }

    private static boolean isSocket(Path path) {
        try {
            int mode = ((Number) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            return (mode & 0170000) == 0140000;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The mounts of this process's mount namespace (/proc/self/mountinfo: fields 3, 4 and 5, escapes undone). */
    static List<Mount> mounts() {
        List<Mount> mounts = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[3].startsWith("/") && fields[4].startsWith("/")) {
                    mounts.add(new Mount(fields[2], Path.of(unescape(fields[3])), Path.of(unescape(fields[4]))));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no mountinfo (not Linux): nothing mounted to compare
        }
        return mounts;
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Device and inode, without following a link. */
    static PathRule.FileKey key(Path path) {
        try {
            long dev = ((Number) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long ino = ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            return new PathRule.FileKey(dev, ino);
        } catch (IOException | UnsupportedOperationException e) {
            throw PolicyException.refused("cannot stat " + path + ": " + e.getMessage());
        }
    }

    /** The same directory under another name (a bind mount of /etc elsewhere). */
    private static boolean sameObject(Path a, Path b) {
        try {
            return Files.exists(b, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(b)
                    && key(a).equals(key(b));
        } catch (PolicyException e) {
            return false;
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
