package dev.mcpcontain.platform.windows.broker;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.platform.windows.acl.Sddl;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.platform.windows.launch.CommandLineQuoting;
import dev.mcpcontain.platform.windows.launch.InnerRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Installs and removes the broker service ({@code mcp-contain setup}, elevated). The service runs as LocalSystem,
 * so nothing it loads may be writable by a user: its class path is copied into {@code <ProgramData>\mcp-contain\broker}
 * after that folder has been given to Administrators with a protected DACL (and emptied, since a user may have
 * created it first), its temporary files (JNA's native library) go there too, and the JVM must sit where only
 * administrators write (Program Files or the Windows folder).
 */
public final class BrokerInstallation {

    private final BrokerWin32 win32;
    private final Path brokerDirectory;
    private final InnerRuntime runtime;
    private final List<String> protectedRoots;

    /**
     * @param brokerDirectory {@code <ProgramData>\mcp-contain\broker}
     * @param protectedRoots  folders only administrators can write (ProgramFiles, ProgramFiles(x86), SystemRoot)
     */
    public BrokerInstallation(BrokerWin32 win32, Path brokerDirectory, InnerRuntime runtime, List<String> protectedRoots) {
        this.win32 = win32;
        this.brokerDirectory = brokerDirectory;
        this.runtime = runtime;
        this.protectedRoots = List.copyOf(protectedRoots);
    }

    public BrokerRegistrations registrations() {
        return BrokerRegistrations.in(brokerDirectory);
    }

    /** Installs (or refreshes) the service and registers {@code agent} as the account that serves {@code user}. */
    public void install(Sid user, String agentUserName, Sid agent) throws IOException {
        String java = runtime.javaExecutable();
        if (protectedRoots.stream().noneMatch(root -> isUnder(java, root))) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "the broker service runs as LocalSystem with this"
                    + " JVM, " + java + ", which is not under " + String.join(" or ", protectedRoots) + ": a user who can"
                    + " write there could run code as LocalSystem. Install a JDK 17+ under Program Files and run setup"
                    + " with it, or use 'mcp-contain setup --no-broker'");
        }
        Path top = brokerDirectory.getParent();
        refuseLinks(top);
        Files.createDirectories(top);
        win32.setProtectedSecurity(top.toString(), Sddl.brokerDirectory());
        // Whatever was inside before the folder was protected (made by anyone) is removed, then made afresh.
        if (Files.exists(brokerDirectory, LinkOption.NOFOLLOW_LINKS)) {
            List<BrokerRegistrations.Registration> kept = readRegistrationsSafely();
            deleteTree(brokerDirectory);
            Files.createDirectories(brokerDirectory);
            for (BrokerRegistrations.Registration r : kept) {
                registrations().put(r);
            }
        }
        Path lib = brokerDirectory.resolve("lib");
        Path temp = brokerDirectory.resolve("tmp");
        Files.createDirectories(lib);
        Files.createDirectories(temp);
        for (String entry : runtime.classpath()) {
            Path jar = Path.of(entry);
            if (!entry.toLowerCase(Locale.ROOT).endsWith(".jar") || !Files.isRegularFile(jar)) {
                throw new ContainmentException(Reason.UNENFORCEABLE, "the broker service needs mcp-contain's packaged"
                        + " jars; '" + entry + "' on the class path is not one. Run setup from an installed mcp-contain");
            }
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        win32.installService(BrokerMessages.SERVICE_NAME, "mcp-contain broker", serviceCommandLine(lib, temp),
                Sddl.brokerService());
        registrations().put(new BrokerRegistrations.Registration(user.toString(), agentUserName, agent.toString()));
    }

    /** The service's command line: its JVM, the protected copy of the class path, its own temporary folder. */
    String serviceCommandLine(Path lib, Path temp) {
        return CommandLineQuoting.commandLine(List.of(runtime.javaExecutable(), "-Xmx128m",
                "-Djava.io.tmpdir=" + temp, "-Djna.tmpdir=" + temp, "-cp", lib + "\\*",
                BrokerService.class.getName()));
    }

    /**
     * Removes {@code user}'s registration; the service and its folder go with the last one.
     *
     * @return whether the service was removed
     */
    public boolean uninstall(Sid user) throws IOException {
        BrokerRegistrations registrations = registrations();
        registrations.remove(user);
        if (!registrations.all().isEmpty()) {
            return false;
        }
        boolean removed = win32.deleteService(BrokerMessages.SERVICE_NAME);
        if (Files.exists(brokerDirectory, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(brokerDirectory);
        }
        return removed;
    }

    private List<BrokerRegistrations.Registration> readRegistrationsSafely() {
        try {
            return registrations().all();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void refuseLinks(Path path) throws IOException {
        for (Path p = path; p != null; p = p.getParent()) {
            if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS)
                    && Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).isOther())) {
                throw new ContainmentException(Reason.UNENFORCEABLE, p + " is a link or junction; the broker's folder"
                        + " must be a plain folder. Remove it and run setup again");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        refuseLinks(root);
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    static boolean isUnder(String path, String root) {
        String p = path.replace('/', '\\').toLowerCase(Locale.ROOT);
        String r = root.replace('/', '\\').toLowerCase(Locale.ROOT);
        if (!r.endsWith("\\")) {
            r = r + "\\";
        }
        return p.startsWith(r);
    }
}
