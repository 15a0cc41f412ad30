package dev.mcpcontain.policy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A stable, readable name for a server, e.g. {@code server-filesystem-3f2a91bc07d4e615}: the package or script
 * name plus 64 bits of a hash of what selects its code (enough that nobody can craft a command sharing another
 * server's identity, and so its agent home and pins). It keys the agent home, pins and the audit log, so it must not
 * change between runs and must never carry secrets in readable form.
 *
 * <p>What feeds the hash: for a script run by an interpreter, the script's location only (the other arguments,
 * which may hold secrets, do not change the identity). When the program itself is the main file, the arguments
 * choose the code ({@code python3 -m mcp_server_git} and {@code python3 -m mcp_server_fetch}, {@code java -jar
 * a.jar}, {@code docker run -i image}, {@code sh -c '...'}), so every argument is hashed too; for a package runner
 * ({@code npx}, {@code uvx}, {@code pipx run}, ...) every argument as well, with the package's {@code @version}
 * stripped so an upgrade keeps the home. Hashing less gave two different servers one agent home: the first could
 * plant code there (a Python {@code usercustomize.py}, an {@code .npmrc}) that the second then ran with its own
 * grants. The price: changing such a server's arguments gives it a new home and new pins.
 */
public final class ServerIdentity {

    private static final Set<String> PACKAGE_RUNNERS = Set.of("npx", "uvx", "pipx", "bunx", "pnpx", "dlx");
    /** A runner's sub-command before the package ({@code pipx run pkg}), never the package itself. */
    private static final Set<String> RUNNER_SUBCOMMANDS = Set.of("run", "exec", "dlx", "x", "tool");

    private ServerIdentity() {}

    /**
     * @param mainIsScript whether {@code mainPath} is a script named in the arguments (then it alone identifies the
     *     code) rather than the program itself
     */
    public static String of(List<String> command, Path mainPath, boolean mainIsScript) {
        String program = Path.of(command.get(0)).getFileName().toString();
        List<String> arguments = command.subList(1, command.size());
        if (PACKAGE_RUNNERS.contains(program)) {
            for (int i = 0; i < arguments.size(); i++) {
                String arg = arguments.get(i);
                if (!arg.startsWith("-") && !RUNNER_SUBCOMMANDS.contains(arg)) {
                    String pkg = stripVersion(arg);
                    List<String> keyed = new java.util.ArrayList<>(arguments);
                    keyed.set(i, pkg);
                    return slug(pkg) + "-" + shortHash(program + ":" + pkg + argumentsKey(keyed));
                }
            }
        }
        String located = mainPath.toString();
        return slug(readableName(mainPath)) + "-" + shortHash(mainIsScript ? located : located + argumentsKey(arguments));
    }

    /** The arguments, unambiguously joined (NUL never occurs in one); empty for none, so old identities stay. */
    private static String argumentsKey(List<String> arguments) {
        StringBuilder key = new StringBuilder();
        for (String arg : arguments) {
            key.append('\0').append(arg);
        }
        return key.toString();
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
