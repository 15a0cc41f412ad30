package dev.mcpcontain.policy;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides, for one writable grant, what the server must not be able to change in it (issue 7, class 3).
 *
 * <p>What exists is pinned: every {@link ProtectedNames} entry inside the grant and every git control directory or
 * gitfile found in it becomes a read-only mount, and every directory between the grant and a pinned name becomes a
 * mount point of its own so it cannot be renamed away (EBUSY). What does not exist cannot be pinned: Landlock
 * cannot filter by name, a mount needs something on disk, and there is no race-free kernel hook that refuses a
 * create by name (fanotify has no permission event for creation; a seccomp supervisor would have to perform every
 * create itself). So the shapes where a new name would be trusted are refused, one line saying why, unless the grant
 * opts in with {@code :rw,unprotected}:
 * <ul>
 *   <li>the grant is a home, holds one, or lies inside a protected name of one ({@code ~/.ssh}, {@code ~/.config/git});
 *   <li>a protected name of a home lies inside the grant and is absent ({@code --grant ~/.config:rw} without
 *       {@code ~/.config/autostart});
 *   <li>the grant is, or lies inside, a git work tree or a git control directory (a new {@code .git} in a subfolder
 *       would be found first by git's discovery), or holds a work tree;
 *   <li>the grant is, or lies inside, any other folder git takes for a git directory ({@link #isGitDirectory}: a bare
 *       repository, a {@code --separate-git-dir}), whose {@code config} and {@code hooks} git trusts; one held by
 *       the grant is only pinned read-only as a whole, like a {@code .git} (it has no work tree to plant in);
 *   <li>the grant is too large to search for git repositories within {@link #WALK_LIMIT} folders (fail closed).
 * </ul>
 */
public final class GrantGuard {

    /** Folders searched for nested git repositories before a writable grant is refused as too large to check. */
    public static final int WALK_LIMIT = 20_000;

    /** Mounts a grant's pins may add; beyond that the launch is refused rather than slow or half-protected. */
    public static final int PIN_LIMIT = 400;

    /** What to pin in one grant: read-only paths and the writable directories that hold them in place. */
    public record Pins(List<Path> readOnly, List<Path> pinnedDirs, List<String> notices) {}

    /**
     * Where the system keeps what it runs and trusts: a writable grant inside one is refused (unless
     * {@code ,unprotected}) when the server would write there as anyone but the launching user. A root launcher's
     * grants are idmapped from their owner to the agent, so {@code --grant /etc/cron.d:rw} let a server create a
     * root-owned cron job, {@code /usr/local/bin:rw} a program on root's PATH, {@code /etc/profile.d:rw} a script
     * every login shell sources. (Grants that are or hold one of these are refused outright: {@link GrantPaths}.)
     * /root is not here: root's home is a home like the others.
     */
    static final List<Path> SYSTEM_TREES = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64",
            "/libx32", "/opt", "/proc", "/run", "/sbin", "/snap", "/sys", "/usr", "/var").stream().map(Path::of).toList();

    private final List<Path> homes;
    private final int walkLimit;
    private final int launcherUid;
    private final List<Path> commandPath;
    private Map<Path, Path> referenced;

    /** {@link ReferencedPaths} of the homes, read once. */
    private Map<Path, Path> referenced() {
        if (referenced == null) {
            referenced = ReferencedPaths.of(homes);
        }
        return referenced;
    }

    public GrantGuard(List<Path> homes) {
        this(homes, WALK_LIMIT);
    }

    GrantGuard(List<Path> homes, int walkLimit) {
        this(homes, walkLimit, -1, List.of());
    }

    /**
     * LAUNCHER_UID is the uid the launcher runs as (the server writes a grant as that user, or for root as the
     * grant's owner through the idmap; -1: unknown, every system tree is refused); COMMAND_PATH the launcher's PATH
     * folders (absolute, real): a program planted in one runs in place of the command the user types.
     */
    public GrantGuard(List<Path> homes, int launcherUid, List<Path> commandPath) {
        this(homes, WALK_LIMIT, launcherUid, commandPath);
    }

    GrantGuard(List<Path> homes, int walkLimit, int launcherUid, List<Path> commandPath) {
        this.homes = List.copyOf(homes);
        this.walkLimit = walkLimit;
        this.launcherUid = launcherUid;
        this.commandPath = List.copyOf(commandPath);
    }

    /**
     * The absolute entries of a PATH value that are existing folders, as real paths (relative entries, "." and the
     * empty entry included, are the user's own choice to run what lies in the working directory: not grants').
     */
    public static List<Path> commandPath(String path) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (path == null) {
            return List.of();
        }
        for (String entry : path.split(":")) {
            if (!entry.startsWith("/")) {
                continue;
            }
            try {
                Path dir = Path.of(entry);
                if (Files.isDirectory(dir)) {
                    dirs.add(dir.toRealPath());
                }
            } catch (IOException | RuntimeException e) {
                // absent or unreadable: nothing there to plant in through a grant
            }
        }
        return List.copyOf(dirs);
    }

    /**
     * The launcher's home, root's, every account's home from /etc/passwd and every folder of /home, where they exist
     * (never "/").
     */
    public static List<Path> hostHomes(Path launcherHome, Path passwd) {
        return hostHomes(launcherHome, passwd, Path.of("/home"));
    }

    /** As {@link #hostHomes(Path, Path)}, with every folder of HOME_ROOT (/home) a home too. */
    static List<Path> hostHomes(Path launcherHome, Path passwd, Path homeRoot) {
        Set<Path> homes = new LinkedHashSet<>();
        homes.add(launcherHome);
        homes.add(Path.of("/root"));
        try (Stream<String> lines = Files.lines(passwd)) {
            lines.forEach(line -> {
                String[] fields = line.split(":", -1);
                if (fields.length >= 7 && fields[5].startsWith("/") && fields[5].length() > 1) {
                    homes.add(Path.of(fields[5]).normalize());
                }
            });
        } catch (IOException | RuntimeException e) {
            // No passwd to read: the launcher's home and /root still count.
        }
        // Accounts from LDAP, SSSD or systemd-homed are not in /etc/passwd, but their homes are folders of /home all
        // the same: each one counts (a root launcher's idmap would hand its files to the agent).
        try (Stream<Path> children = Files.list(homeRoot)) {
            children.filter(child -> Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)).sorted()
                    .forEach(child -> homes.add(child.normalize()));
        } catch (IOException | RuntimeException e) {
            // no /home
        }
        List<Path> existing = new ArrayList<>();
        for (Path home : homes) {
            try {
                if (Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
                    existing.add(home.toRealPath());
                } else if (home.equals(launcherHome)) {
                    existing.add(home);
                }
            } catch (IOException e) {
                // vanished or unreadable: nothing there for a grant to hold
            }
        }
        return existing;
    }

    /**
     * Checks the writable grant GRANT (canonical) and returns what to pin; throws with one line when the shape is
     * refused. SPEC names the grant as the user wrote it ("--grant 'x:rw'"), OPT_IN is its unprotected spelling.
     */
    public Pins check(Path grant, boolean unprotected, String spec, String optInSpelling) {
        List<String> notices = new ArrayList<>();
        Set<Path> readOnly = new LinkedHashSet<>();
        String optIn = "; grant it :ro, or write '" + optInSpelling + "' to accept that the server can plant"
                + " such files";

        for (Path home : homes) {
            if (grant.equals(home) || home.startsWith(grant)) {
                refuseUnless(unprotected, spec + ": " + grant + (grant.equals(home) ? " is the home " : " holds the home ")
                        + home + ", where shells, git, ssh and the desktop run files the server could create" + optIn);
            }
            for (ProtectedNames.Name name : ProtectedNames.of(ProtectedNames.Where.HOME)) {
                Path protectedPath = home.resolve(name.name());
                if (grant.startsWith(protectedPath)) {
                    refuseUnless(unprotected, spec + ": " + grant + " lies in " + protectedPath + " (" + name.why()
                            + ")" + optIn);
                } else if (protectedPath.startsWith(grant)) {
                    if (exists(protectedPath)) {
                        readOnly.add(protectedPath);
                    } else if (grant.startsWith(home) && !grant.equals(home)) {
                        refuseUnless(unprotected, spec + ": the server could create " + protectedPath + " ("
                                + name.why() + "), which does not exist yet and so cannot be kept read-only" + optIn);
                    }
                }
            }
        }

        // Below a home's dot-directories lies what programs keep for themselves and trust: configuration
        // (~/.config/plasma-workspace/env/*.sh is sourced at login, ~/.local/share/dbus-1/services starts programs),
        // caches they install or run from (~/.cache/pip wheels, ~/.cache/pre-commit, browser binaries), tool installs
        // on PATH. The protected names are only the best known of them, so the whole of it is refused.
        for (Path home : homes) {
            if (grant.startsWith(home) && !grant.equals(home)
                    && home.relativize(grant).getName(0).toString().startsWith(".")) {
                Path dot = home.resolve(home.relativize(grant).getName(0));
                refuseUnless(unprotected, spec + ": " + grant + (grant.equals(dot) ? " is " : " lies in ") + dot
                        + ", a folder of the home that programs keep their configuration, caches or installed tools"
                        + " in and trust (what they run at login or start from there is not one known list)" + optIn);
            }
        }

        int owner = ownerOf(grant);
        for (Path system : SYSTEM_TREES) {
            if (grant.startsWith(system) && (launcherUid <= 0 || owner != launcherUid)) {
                refuseUnless(unprotected, spec + ": " + grant + (grant.equals(system) ? " is the system directory "
                        : " lies in the system directory ") + system + ", whose"
                        + " files the system and other users run or trust (cron jobs, profile.d, systemd units,"
                        + " programs and libraries on PATH); the server would write there as "
                        + (owner == 0 ? "root" : "uid " + owner) + (launcherUid == 0 ? " (a root launcher's grants"
                        + " are idmapped from their owner to the agent)" : "") + optIn);
            }
        }
        for (Path bin : commandPath) {
            if (grant.equals(bin) || bin.startsWith(grant) || grant.startsWith(bin)) {
                refuseUnless(unprotected, spec + ": " + grant + (grant.equals(bin) ? " is " : bin.startsWith(grant)
                        ? " holds " + bin + ", " : " lies in " + bin + ", ") + "a folder on the launcher's PATH: a"
                        + " program the server puts there runs in place of the command a user types" + optIn);
            }
        }

        // Files the user's shell start-up and git configuration name (source, PATH, include.path, hooksPath, ...):
        // trusted by reference, so neither a protected name nor the create guard knows them.
        for (Map.Entry<Path, Path> ref : referenced().entrySet()) {
            Path path = ref.getKey();
            Path file = ref.getValue();
            if (path.equals(grant) || grant.startsWith(path) && Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                refuseUnless(unprotected, spec + ": " + file + " names " + path + (path.equals(grant) ? ", the grant"
                        + " itself" : ", which holds the grant") + " (sourced, on PATH, or read or run by git), so"
                        + " what the server writes there would be run" + optIn);
            } else if (path.startsWith(grant)) {
                if (exists(path)) {
                    readOnly.add(path);
                } else {
                    refuseUnless(unprotected, spec + ": " + file + " names " + path + " (sourced, on PATH, or read or"
                            + " run by git), which does not exist yet and so cannot be kept read-only" + optIn);
                }
            }
        }

        for (Path dir = grant; dir != null; dir = dir.getParent()) {
            if (dir.getFileName() != null && dir.getFileName().toString().equals(".git")) {
                refuseUnless(unprotected, spec + ": " + grant + " is inside the git control directory " + dir + optIn);
            } else if (dir.getFileName() != null && isProjectName(dir)) {
                // Granted by its own name (--grant ~/proj/.vscode:rw, ~/proj/.envrc:rw), or a folder in one: what
                // the walk pins read-only inside other grants would be writable as a whole.
                refuseUnless(unprotected, spec + ": " + grant + (dir.equals(grant) ? " is " : " lies in ") + dir + " ("
                        + projectWhy(dir) + "), which stays read-only inside writable grants" + optIn);
            } else if (isGitDirectory(dir)) {
                // git's discovery takes DIR itself for a repository (bare, or a separate git dir): `git log` there or
                // in any folder below it reads DIR/config (core.pager, core.fsmonitor, aliases) and runs DIR/hooks.
                refuseUnless(unprotected, spec + ": " + grant + (dir.equals(grant) ? " is the git directory "
                        : " lies inside the git directory ") + dir + " (a bare repository: HEAD, objects and refs),"
                        + " whose config and hooks git runs" + optIn);
            } else if (!dir.equals(grant) && exists(dir.resolve(".git"))) {
                refuseUnless(unprotected, spec + ": " + grant + " lies in the git work tree " + dir + ", where a new"
                        + " .git in any subfolder would be run by git" + optIn);
            }
        }

        Walk walk = walk(grant, walkLimit, new java.util.HashSet<>(List.of(launcherUid, owner)));
        if (walk.unsearchable != null) {
            // The server owns it, so it can make it searchable again: whatever protected name it holds (a .git, a
            // .vscode) was not seen, so not pinned. A previous run's `chmod 000 proj` hid proj/.vscode this way.
            refuseUnless(unprotected, spec + ": " + walk.unsearchable + " cannot be searched (its mode lets even its"
                    + " owner in no further), so protected files in it (.git, .vscode, ...) could not be found and kept"
                    + " read-only, and the server, which owns it, could open it again; make it searchable (chmod u+rx),"
                    + " grant " + grant + " read-only" + optIn.replaceFirst("^; grant it :ro", ""));
            notices.add(spec + ": " + walk.unsearchable + " could not be searched for protected names ("
                    + optInSpelling + ")");
        }
        if (walk.truncated) {
            String why = spec + ": " + grant + " holds more than " + walkLimit + " folders, too many to search for"
                    + " git repositories whose files must stay read-only";
            refuseUnless(unprotected, why + "; grant a smaller folder, grant it :ro, or write '" + optInSpelling
                    + "' to accept the risk");
            notices.add(why + ": only the first " + WALK_LIMIT + " were searched (" + optInSpelling + ")");
        }
        for (Path git : walk.gits) {
            Path workTree = git.getParent();
            refuseUnless(unprotected, spec + ": " + grant + (workTree.equals(grant) ? " is the git work tree "
                    : " holds the git work tree ") + workTree + ", where a new .git in any subfolder would be run by"
                    + " git" + optIn);
            readOnly.add(git);
        }

        // A file of the grant that is another name (a hard link) of a protected file outside it: the pins protect
        // names inside grants only, so the server would write ~/.profile through docs/notes.txt.
        for (Path file : walk.multiLinked) {
            PathRule.FileKey key = keyOf(file);
            Path outside = key == null ? null : protectedFilesOutside().get(key);
            if (outside != null && !outside.startsWith(grant)) {
                refuseUnless(unprotected, spec + ": " + file + " is another name (a hard link) of " + outside
                        + ", which stays read-only to the server; through this name it could change it; remove"
                        + " the link (ln creates a second name, cp a copy)" + optIn);
                readOnly.add(file);
            }
        }

        // A bare repository (or any other git directory not named .git) held by the grant: read-only as a whole, like
        // a .git. Not refused: it has no work tree where a new name would be trusted.
        readOnly.addAll(walk.gitDirs);

        // Every existing project name, at any depth: an editor, direnv or npm trusts it in whichever sub-folder the
        // user opens, not only at the top of the grant or of a git work tree (a plain folder of projects holds many).
        readOnly.addAll(walk.projectNames);

        for (Path path : readOnly) {
            if (Files.isSymbolicLink(path)) {
                continue; // refused below as a whole
            }
            Inspection found = inspect(path, grant, walkLimit);
            if (found.outwardLink() != null) {
                // The mount is read-only, but a symbolic link in it resolves outside it, to a file the server may
                // write (or create, when the link dangles): whoever follows the link reads the server's content.
                refuseUnless(unprotected, spec + ": " + found.outwardLink() + " is a symbolic link to "
                        + linkTarget(found.outwardLink()) + ", which lies in the writable grant outside the read-only "
                        + path + "; the server could write what it points to; replace the link with the file" + optIn);
            }
            if (found.otherLinks() != null) {
                // The mount pins a name, not the inode: another hard link to the same file (made by the user, or by
                // a server in an earlier run before the folder became trusted) stays writable and changes it.
                refuseUnless(unprotected, spec + ": " + found.otherLinks() + " has another hard link, through which"
                        + " the server could change it although it is kept read-only; remove the extra link (find"
                        + " -samefile)" + optIn);
            }
            if (found.incomplete()) {
                // Not searched whole (too many entries, or some could not be examined): what was not seen may be
                // either kind of link above, so it counts as found.
                refuseUnless(unprotected, spec + ": " + path + " could not be searched whole for links that would"
                        + " make it writable (more than " + walkLimit + " entries, or entries that cannot be"
                        + " examined); grant " + grant + " read-only" + optIn);
            }
        }

        Set<Path> pinnedDirs = new LinkedHashSet<>();
        for (Path path : readOnly) {
            if (Files.isSymbolicLink(path)) {
                // A link cannot be a mount point, and the server could replace it: refuse, plainly.
                throw PolicyException.refused("cannot keep " + path + " read-only inside the writable grant " + grant
                        + ": it is a symbolic link (to " + linkTarget(path) + "); grant " + grant + " read-only, or"
                        + " grant a folder that does not hold it");
            }
            // A read-only .git/hooks is worthless if the server can rename a parent away and make a new one: every
            // directory between the grant and the protected path becomes a mount point of its own (still
            // writable), and mount points cannot be renamed or removed (EBUSY).
            for (Path dir = path.getParent(); dir != null && !dir.equals(grant) && dir.startsWith(grant);
                    dir = dir.getParent()) {
                pinnedDirs.add(dir);
            }
        }
        pinnedDirs.removeAll(readOnly);
        if (readOnly.size() + pinnedDirs.size() > PIN_LIMIT) {
            throw PolicyException.refused(spec + ": " + grant + " holds " + readOnly.size() + " protected names in "
                    + (readOnly.size() + pinnedDirs.size()) + " places, more than the " + PIN_LIMIT + " mounts"
                    + " mcp-contain makes to keep them read-only; grant a smaller folder, or grant it :ro");
        }
        return new Pins(List.copyOf(readOnly), List.copyOf(pinnedDirs), notices);
    }

    /** Multiply-linked files a grant's walk compares with the protected files; past this many, the rest are not. */
    static final int MULTI_LINK_LIMIT = 50_000;

    /** Entries searched below each protected folder of the homes (~/.ssh, ~/.config/git, ...) for files with links. */
    static final int PROTECTED_FOLDER_LIMIT = 5_000;

    /** Files kept from the server whatever folder holds another name of them: /etc's secrets. */
    static final List<Path> MASKED_FILES = List.of(Path.of("/etc/shadow"), Path.of("/etc/shadow-"),
            Path.of("/etc/gshadow"), Path.of("/etc/gshadow-"), Path.of("/etc/sudoers"),
            Path.of("/etc/security/opasswd"));

    private Map<PathRule.FileKey, Path> protectedFilesOutside;

    /**
     * Device and inode of every protected file of the homes (the home-level names, and the files below the
     * protected folders, {@link #PROTECTED_FOLDER_LIMIT} entries each) and of /etc's secrets that has more than one
     * hard link: only those can have another name in a grant. Built once per launch.
     */
    private Map<PathRule.FileKey, Path> protectedFilesOutside() {
        if (protectedFilesOutside != null) {
            return protectedFilesOutside;
        }
        Map<PathRule.FileKey, Path> keys = new java.util.HashMap<>();
        List<Path> roots = new ArrayList<>(MASKED_FILES);
        for (Path home : homes) {
            for (ProtectedNames.Name name : ProtectedNames.of(ProtectedNames.Where.HOME)) {
                roots.add(home.resolve(name.name()));
            }
        }
        for (Path root : roots) {
            if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
                addIfLinked(keys, root);
            } else if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> below = Files.walk(root)) {
                    below.limit(PROTECTED_FOLDER_LIMIT)
                            .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                            .forEach(p -> addIfLinked(keys, p));
                } catch (IOException | java.io.UncheckedIOException e) {
                    // a folder the launcher cannot read: the server, with the same or fewer rights, cannot either
                }
            }
        }
        protectedFilesOutside = keys;
        return keys;
    }

    private static void addIfLinked(Map<PathRule.FileKey, Path> keys, Path file) {
        if (linkCount(file) > 1) {
            PathRule.FileKey key = keyOf(file);
            if (key != null) {
                keys.putIfAbsent(key, file);
            }
        }
    }

    private static PathRule.FileKey keyOf(Path file) {
        try {
            Object dev = Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Object ino = Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return new PathRule.FileKey(((Number) dev).longValue(), ((Number) ino).longValue());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void refuseUnless(boolean unprotected, String message) {
        if (!unprotected) {
            throw PolicyException.refused(message);
        }
    }

    /** The owner's uid, without following a link; -1 when it cannot be read. */
    private static int ownerOf(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** The mode bits, without following a link; 0 when they cannot be read (the walk then counts it as closed). */
    private static int modeOf(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * What one bounded walk of a protected PATH (not following links) found: the first symbolic link whose target
     * lies in GRANT outside PATH (judged both by the words of the link and by where it really leads), the first
     * regular file with more than one hard link, and whether the walk saw everything (LIMIT entries at most; an
     * entry it cannot examine makes it incomplete). A git object store is exempt from the hard-link rule: `git clone
     * --local` hard-links its objects on purpose, and git names each object by the hash of its content.
     */
    record Inspection(Path outwardLink, Path otherLinks, boolean incomplete) {}

    static Inspection inspect(Path path, Path grant, int limit) {
        Path[] outward = {null};
        Path[] linked = {null};
        boolean[] incomplete = {false};
        int[] seen = {0};
        int[] inObjects = {0};
        try {
            Files.walkFileTree(path, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (isGitObjectStore(dir)) {
                                inObjects[0]++;
                            }
                            return count();
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            if (isGitObjectStore(dir)) {
                                inObjects[0]--;
                            }
                            if (e != null) {
                                incomplete[0] = true;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isSymbolicLink() && outward[0] == null && pointsOut(file, path, grant)) {
                                outward[0] = file;
                            }
                            if (attrs.isRegularFile() && inObjects[0] == 0 && linked[0] == null) {
                                int links = linkCount(file);
                                if (links != 1) {
                                    if (links < 1) {
                                        incomplete[0] = true;
                                    } else {
                                        linked[0] = file;
                                    }
                                }
                            }
                            return outward[0] != null && linked[0] != null ? FileVisitResult.TERMINATE : count();
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            incomplete[0] = true;
                            return FileVisitResult.CONTINUE;
                        }

                        private FileVisitResult count() {
                            if (++seen[0] > limit) {
                                incomplete[0] = true;
                                return FileVisitResult.TERMINATE;
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            incomplete[0] = true;
        }
        return new Inspection(outward[0], linked[0], incomplete[0]);
    }

    /** {@link #inspect}'s first file with another hard link, or null. */
    static Path fileWithOtherLinks(Path path, int limit) {
        return inspect(path, path, limit).otherLinks();
    }

    private static boolean isGitObjectStore(Path dir) {
        Path name = dir.getFileName();
        Path parent = dir.getParent();
        return name != null && name.toString().equals("objects") && parent != null && (parent.getFileName() != null
                && parent.getFileName().toString().equals(".git") || isGitDirectory(parent));
    }

    /**
     * Whether git takes DIR for a git directory, as its setup.c {@code is_git_directory} does when it searches
     * upwards from the working directory (and safe.bareRepository is "all" by default): a valid {@code HEAD}
     * ({@link #validHead}), and {@code objects} and {@code refs} in DIR, or in the common directory a
     * {@code commondir} file names (a worktree's administrative folder). git asks access(X_OK) of objects and refs;
     * any entry of those names counts here, so a chmod cannot turn a folder git ignored today into one it runs.
     * A {@code commondir} that cannot be read, or is no regular file, counts as naming DIR itself.
     */
    static boolean isGitDirectory(Path dir) {
        Path head = dir.resolve("HEAD");
        if (!exists(head) || !validHead(head)) {
            return false;
        }
        Path common = dir;
        Path commondir = dir.resolve("commondir");
        if (Files.isRegularFile(commondir)) { // not a FIFO: reading one would block the launch
            try {
                String named = readHead(commondir, 4096, true).replaceAll("[\\r\\n]+$", "");
                if (!named.isEmpty()) {
                    common = dir.resolve(named).normalize();
                }
            } catch (IOException e) {
                // unreadable: git would stop there; DIR itself still counts below
            }
        }
        return Files.exists(common.resolve("objects")) && Files.exists(common.resolve("refs"))
                || Files.exists(dir.resolve("objects")) && Files.exists(dir.resolve("refs"));
    }

    /**
     * Whether a server that may write DIR's files (not create names there: the create guard refuses HEAD, and
     * objects, refs and commondir beside a HEAD) could make git take DIR for a git directory: a HEAD that is a
     * regular file whatever it holds today (its content can be rewritten into a ref), with objects and refs, or with a
     * commondir file (rewritten to name a folder where objects and refs can be made). Pinned like a git directory.
     */
    static boolean couldBecomeGitDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve("HEAD"), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return Files.exists(dir.resolve("objects"), LinkOption.NOFOLLOW_LINKS)
                && Files.exists(dir.resolve("refs"), LinkOption.NOFOLLOW_LINKS)
                || Files.exists(dir.resolve("commondir"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * git's {@code validate_headref}: a symbolic link whose words start with "refs/", or a file (at most 255 bytes
     * read) holding "ref:", blanks, "refs/..." or starting with 40 hex digits (an object id). A HEAD the launcher
     * cannot read counts as valid; one that is neither link nor regular file (a FIFO would block git) does not.
     */
    static boolean validHead(Path head) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(head, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                return Files.readSymbolicLink(head).toString().startsWith("refs/");
            }
            if (!attrs.isRegularFile()) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        String text;
        try {
            text = readHead(head, 255, false);
        } catch (IOException e) {
            return true; // exists, cannot be read here: someone else's git may read it
        }
        if (text.startsWith("ref:")) {
            return text.substring(4).stripLeading().startsWith("refs/");
        }
        return text.length() >= 40 && text.substring(0, 40).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** The first LIMIT bytes of FILE (following a final link only when FOLLOW) as ISO-8859-1 text. */
    private static String readHead(Path file, int limit, boolean follow) throws IOException {
        Set<java.nio.file.OpenOption> options = new java.util.HashSet<>();
        options.add(java.nio.file.StandardOpenOption.READ);
        if (!follow) {
            options.add(LinkOption.NOFOLLOW_LINKS);
        }
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file, options)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(limit);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read up to LIMIT bytes
            }
            return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean pointsOut(Path link, Path inside, Path grant) {
        List<Path> targets = new ArrayList<>();
        try {
            targets.add(link.getParent().resolve(Files.readSymbolicLink(link)).normalize());
        } catch (IOException e) {
            return true;
        }
        try {
            targets.add(link.toRealPath());
        } catch (IOException e) {
            // dangling: the words of the link are all there is, and the server could create what they name
        }
        return targets.stream().anyMatch(t -> t.startsWith(grant) && !t.startsWith(inside));
    }

    /** The file's hard-link count; 0 when it cannot be read (the caller then counts the walk as incomplete). */
    private static int linkCount(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static String projectWhy(Path path) {
        String name = path.getFileName().toString();
        return ProtectedNames.of(ProtectedNames.Where.PROJECT).stream().filter(n -> n.name().equals(name))
                .map(ProtectedNames.Name::why).findFirst().orElse("a protected name");
    }

    private static boolean isProjectName(Path path) {
        String name = path.getFileName().toString();
        return ProtectedNames.of(ProtectedNames.Where.PROJECT).stream().anyMatch(n -> n.name().equals(name));
    }

    private static final class Walk {
        final List<Path> gits = new ArrayList<>();
        final List<Path> gitDirs = new ArrayList<>();
        final List<Path> projectNames = new ArrayList<>();
        /** Regular files with more than one hard link: another name may be a protected file outside the grant. */
        final List<Path> multiLinked = new ArrayList<>();
        boolean truncated;
        /** The first folder the walk could not enter or list, of an owner the server writes as; or null. */
        Path unsearchable;
    }

    /**
     * Every .git (directory, file or link), every other git directory ({@link #isGitDirectory}: a bare repository)
     * and every other existing project name under GRANT, without entering them (each is pinned as a whole) or
     * following links, bounded by {@link #WALK_LIMIT} folders. A folder the launcher cannot enter or list is
     * skipped when someone else owns it (the server, with the same or fewer rights, cannot get in either), and
     * recorded as {@link Walk#unsearchable} when one of SERVER_OWNERS does (or when such an owner's folder denies
     * its owner reading or searching, though root's walk got in): the server could chmod it back.
     */
    private static Walk walk(Path grant, int limit, Set<Integer> serverOwners) {
        Walk walk = new Walk();
        if (!Files.isDirectory(grant, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(grant, LinkOption.NOFOLLOW_LINKS) && linkCount(grant) > 1) {
                walk.multiLinked.add(grant); // a granted file can be another name of a protected one too
            }
            return walk;
        }
        int[] folders = {0};
        try {
            Files.walkFileTree(grant, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(grant)) {
                                walk.gits.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (!dir.equals(grant) && isProjectName(dir)) {
                                walk.projectNames.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (!dir.equals(grant) && (isGitDirectory(dir) || couldBecomeGitDirectory(dir))) {
                                walk.gitDirs.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (walk.unsearchable == null && (modeOf(dir) & 0500) != 0500
                                    && serverOwners.contains(ownerOf(dir))) {
                                // Entered here (root may), but its owner, whom the server writes as, may not: the
                                // helper, which opens the pins as that owner, could not either. Nothing in it is
                                // pinned (,unprotected) or searched further.
                                walk.unsearchable = dir;
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (++folders[0] > limit) {
                                walk.truncated = true;
                                return FileVisitResult.TERMINATE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && walk.multiLinked.size() < MULTI_LINK_LIMIT
                                    && linkCount(file) > 1) {
                                walk.multiLinked.add(file);
                            }
                            if (attrs.isOther()) {
                                // A socket, FIFO or device: nothing git, a shell or an editor can read as a file.
                                // (The create guard does not see bind(), so a server can leave a socket named .git:
                                // it must not make the next launch take the grant for a git work tree.)
                                return FileVisitResult.CONTINUE;
                            }
                            if (file.getFileName().toString().equals(".git")) {
                                walk.gits.add(file);
                            } else if (isProjectName(file)) {
                                walk.projectNames.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            // FILE could not be listed (no r or x for the launcher), or not even examined (its
                            // folder lets the launcher list but not search): the folder in the way is FILE or its
                            // parent.
                            Path blocked = exists(file) && ownerOf(file) >= 0 ? file : file.getParent();
                            if (walk.unsearchable == null && blocked != null
                                    && serverOwners.contains(ownerOf(blocked))) {
                                walk.unsearchable = blocked;
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw PolicyException.refused("cannot search the writable grant " + grant + " for git repositories: "
                    + e.getMessage());
        }
        return walk;
    }
}
