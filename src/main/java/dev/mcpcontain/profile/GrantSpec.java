package dev.mcpcontain.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * One folder grant as the user wrote it: a known-folder name or a path, optionally followed by {@code :ro} or
 * {@code :rw}. Only the syntax is checked here; whether the folder exists is decided when the policy is resolved.
 *
 * @param folder set when the grant names a known folder
 * @param path set when the grant names a path: absolute, {@code ~/...}, or relative ({@code ./x}, only on the CLI)
 */
public record GrantSpec(Optional<KnownFolder> folder, Optional<String> path, Access access) {

    @JsonCreator
    public static GrantSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty grant (expected e.g. documents, documents:rw or /srv/data:ro)");
        }
        Access access = Access.READ_ONLY;
        String target = spec;
        if (spec.endsWith(":ro") || spec.endsWith(":rw")) {
            access = spec.endsWith(":rw") ? Access.READ_WRITE : Access.READ_ONLY;
            target = spec.substring(0, spec.length() - 3);
        } else if (spec.matches("[a-z]+:[A-Za-z]*")) {
            throw new IllegalArgumentException("grant '" + spec + "': access must be :ro or :rw");
        }
        if (target.isEmpty()) {
            throw new IllegalArgumentException("grant '" + spec + "' names no folder");
        }
        if (target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("grant contains a NUL byte");
        }
        if (target.startsWith("/") || target.startsWith("~/") || target.equals("~")
                || target.startsWith("./") || target.startsWith("../") || target.equals(".")) {
            return new GrantSpec(Optional.empty(), Optional.of(target), access);
        }
        Optional<KnownFolder> known = KnownFolder.byGrantName(target);
        if (known.isEmpty()) {
            throw new IllegalArgumentException("grant '" + spec + "': '" + target + "' is not a known folder ("
                    + KnownFolder.grantNames() + ") and not a path (paths start with /, ~/ or ./)");
        }
        return new GrantSpec(known, Optional.empty(), access);
    }

    @JsonValue
    @Override
    public String toString() {
        return folder.map(KnownFolder::grantName).orElseGet(path::orElseThrow) + ":" + access.suffix();
    }
}
