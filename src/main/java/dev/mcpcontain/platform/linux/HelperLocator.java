package dev.mcpcontain.platform.linux;

import dev.mcpcontain.launch.ContainmentException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the native helper: the {@code mcp.contain.helper} system property, then {@code MCP_CONTAIN_HELPER}, then
 * the file next to the installed jar (the path the AppArmor profile names), then the build tree. A root launcher
 * only accepts a helper that root owns and nobody else can write: it runs with root's privileges.
 */
public final class HelperLocator {

    public static final String FILE_NAME = "mcp-contain-helper";

    private HelperLocator() {}

    public static Path locate(boolean root) {
        List<Path> candidates = new ArrayList<>();
        // Plain code, no Optional chains: this runs on every launch, where each lambda call site costs start-up time.
        String property = System.getProperty("mcp.contain.helper");
        if (property != null) {
            candidates.add(Path.of(property));
        }
        String variable = System.getenv("MCP_CONTAIN_HELPER");
        if (variable != null && !variable.isEmpty()) {
            candidates.add(Path.of(variable));
        }
        Optional<Path> code = codeLocation();
        if (code.isPresent()) {
            Path dir = code.get();
            candidates.add(dir.resolve(FILE_NAME));
            // Development: target/classes or target/*.jar -> target/native
            candidates.add(dir.resolveSibling("native").resolve(FILE_NAME));
            candidates.add(dir.resolve("native").resolve(FILE_NAME));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                Path helper = candidate.toAbsolutePath().normalize();
                if (root) {
                    requireRootOwned(helper);
                }
                return helper;
            }
        }
        throw new ContainmentException(ContainmentException.Reason.HELPER_MISSING,
                "the native helper " + FILE_NAME + " was not found (looked in " + candidates
                        + "); reinstall with scripts/install, or build it with 'mvn package'");
    }

    private static void requireRootOwned(Path helper) {
        try {
            Path real = helper.toRealPath();
            int uid = (Integer) Files.getAttribute(real, "unix:uid");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(real);
            if (uid != 0 || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new ContainmentException(ContainmentException.Reason.HELPER_MISSING,
                        "refusing to run " + real + " as root: it must be owned by root and writable by nobody else"
                                + " (chown root:root, chmod 755)");
            }
        } catch (IOException e) {
            throw new ContainmentException(ContainmentException.Reason.HELPER_MISSING,
                    "cannot inspect " + helper + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Path> codeLocation() {
        try {
            Path location = Path.of(HelperLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Optional.ofNullable(Files.isDirectory(location) ? location : location.getParent());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
