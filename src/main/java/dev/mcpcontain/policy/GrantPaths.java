package dev.mcpcontain.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

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
