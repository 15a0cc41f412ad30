package dev.mcpcontain.policy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A stable, readable name for a server, e.g. {@code server-filesystem-3f2a91bc07d4e615}: the package or script
 * name plus 64 bits of a hash of where it lives (enough that nobody can craft a path sharing another server's
 * identity, and so its agent home and pins). It keys the agent home, pins and the audit log, so it must not change between
 * runs and must never carry secrets: only the program's location (or a package runner's package name) feeds it,
 * never the other arguments.
 */
public final class ServerIdentity {

    private static final Set<String> PACKAGE_RUNNERS = Set.of("npx", "uvx", "pipx", "bunx", "pnpx", "dlx");

    private ServerIdentity() {}

    public static String of(List<String> command, Path mainPath) {
        String program = Path.of(command.get(0)).getFileName().toString();
        if (PACKAGE_RUNNERS.contains(program)) {
            for (String arg : command.subList(1, command.size())) {
                if (!arg.startsWith("-")) {
                    String pkg = stripVersion(arg);
                    return slug(pkg) + "-" + shortHash(program + ":" + pkg);
                }
            }
        }
        return slug(readableName(mainPath)) + "-" + shortHash(mainPath.toString());
    }

    /** Checks a name given with {@code --name} or by a manifest. */
    public static String validated(String name) {
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw PolicyException.refused("server name '" + name
                    + "' is not valid (lower-case letters, digits, '.', '_', '-'; at most 64)");
        }
        return name;
    }

    private static String readableName(Path main) {
        Path file = main.getFileName();
        String name = file == null ? "server" : file.toString();
        String stem = name.replaceFirst("\\.(c|m)?(js|ts|py)$", "");
        if ((stem.equals("index") || stem.equals("main") || stem.equals("server") || stem.equals("__main__"))
                && main.getParent() != null) {
            Path dir = main.getParent();
            if (dir.getFileName() != null && Set.of("dist", "build", "lib", "src", "bin").contains(dir.getFileName().toString())
                    && dir.getParent() != null) {
                dir = dir.getParent();
            }
            return dir.getFileName() == null ? stem : dir.getFileName().toString();
        }
        return stem;
    }

    private static String stripVersion(String pkg) {
        int at = pkg.lastIndexOf('@');
        return at > 0 ? pkg.substring(0, at) : pkg;
    }

    static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.isEmpty()) {
            slug = "server";
        }
        return slug.length() > 40 ? slug.substring(0, 40) : slug;
    }

    private static String shortHash(String text) {
        return HexFormat.of().formatHex(Sha256.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }
}
