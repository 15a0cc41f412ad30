package dev.mcpcontain.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * One folder grant as the user wrote it: a known-folder name or a path, optionally followed by {@code :ro} or
 * {@code :rw} and options ({@code :rw,unprotected}, {@code :ro,follow}). Only the syntax is checked here; whether
 * the folder exists and whether its shape is safe is decided when the policy is resolved.
 *
 * @param folder set when the grant names a known folder
 * @param path set when the grant names a path: absolute, {@code ~/...}, or relative ({@code ./x}, only on the CLI)
 * @param follow {@code follow}: a symbolic link in the granted path is followed (by default it is refused, so a
 *     grant binds exactly the object the user named)
 * @param unprotected {@code unprotected}: a writable grant whose shape lets the server create files that git, a
 *     shell or an editor would later trust (a home, a git work tree) is allowed; by default it is refused
 * @param sockets {@code sockets}: a grant holding the unix socket of a running program (which the server could
 *     connect to, read-only or not) is allowed; by default it is refused in full isolation
 */
public record GrantSpec(Optional<KnownFolder> folder, Optional<String> path, Access access, boolean follow,
        boolean unprotected, boolean sockets) {

    public GrantSpec(Optional<KnownFolder> folder, Optional<String> path, Access access) {
        this(folder, path, access, false, false, false);
    }

    public GrantSpec(Optional<KnownFolder> folder, Optional<String> path, Access access, boolean follow,
            boolean unprotected) {
        this(folder, path, access, follow, unprotected, false);
    }

    @JsonCreator
    public static GrantSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty grant (expected e.g. documents, documents:rw or /srv/data:ro)");
        }
        Access access = Access.READ_ONLY;
        boolean follow = false;
        boolean unprotected = false;
        boolean sockets = false;
        String target = spec;
        int colon = spec.lastIndexOf(':');
        String suffix = colon < 0 ? "" : spec.substring(colon + 1);
        if (suffix.matches("(ro|rw)(,[a-z]+)*")) {
            String[] words = suffix.split(",");
            access = words[0].equals("rw") ? Access.READ_WRITE : Access.READ_ONLY;
            for (int i = 1; i < words.length; i++) {
                switch (words[i]) {
                    case "follow" -> follow = true;
                    case "unprotected" -> unprotected = true;
                    case "sockets" -> sockets = true;
                    default -> throw new IllegalArgumentException("grant '" + spec + "': unknown option '" + words[i]
                            + "' (known: follow, unprotected, sockets; e.g. /srv/data:rw,unprotected)");
                }
            }
            target = spec.substring(0, colon);
        } else if (colon > 0 && suffix.matches("[A-Za-z]{1,12}(,[A-Za-z]+)*")) {
            // "DIR:rx", "documents:RW": an access that is not one, rather than a folder whose name ends so.
            boolean path = spec.startsWith("/") || spec.startsWith("~") || spec.startsWith(".");
            throw new IllegalArgumentException("grant '" + spec + "': bad access '" + suffix + "' (expected :ro or :rw,"
                    + " optionally with ,follow or ,unprotected" + (path ? "; a path that really ends in ':" + suffix
                    + "' needs the access written out: " + spec + ":ro" : "") + ")");
        }
        if (unprotected && access != Access.READ_WRITE) {
            throw new IllegalArgumentException("grant '" + spec + "': 'unprotected' only makes sense with :rw");
        }
        if (target.isEmpty()) {
            throw new IllegalArgumentException("grant '" + spec + "' names no folder");
        }
        if (target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("grant contains a NUL byte");
        }
        if (target.startsWith("/") || target.startsWith("~/") || target.equals("~")
                || target.startsWith("./") || target.startsWith("../") || target.equals(".")) {
            return new GrantSpec(Optional.empty(), Optional.of(target), access, follow, unprotected, sockets);
        }
        Optional<KnownFolder> known = KnownFolder.byGrantName(target);
        if (known.isEmpty()) {
            throw new IllegalArgumentException("grant '" + spec + "': '" + target + "' is not a known folder ("
                    + KnownFolder.grantNames() + ") and not a path (paths start with /, ~/ or ./)");
        }
        return new GrantSpec(known, Optional.empty(), access, follow, unprotected, sockets);
    }

    @JsonValue
    @Override
    public String toString() {
        return folder.map(KnownFolder::grantName).orElseGet(path::orElseThrow) + ":" + access.suffix()
                + (follow ? ",follow" : "") + (unprotected ? ",unprotected" : "") + (sockets ? ",sockets" : "");
    }
}
