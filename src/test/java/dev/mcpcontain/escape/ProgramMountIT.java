package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7 class 2: the automatic program mount. The server's own program is mounted for it without the user naming
 * a folder, so that mount must never expose more than the program: a binary in ~/bin must not bring the home along
 * (with ~/.cargo/credentials.toml), one in /tmp must not bring the host's /tmp (other users' files, pathname
 * sockets). Each denial has a control: the very same launch with the folder granted explicitly reads the file, and
 * the server's uid reads it uncontained.
 */
class ProgramMountIT {

    @TestFactory
    Stream<DynamicNode> programMountsExposeOnlyTheProgram() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("strict", "default")) {
                tests.add(Named.test(id, profile + ": a server in ~/bin cannot read ~/.cargo/credentials.toml or a sibling in"
                        + " ~/bin; control: with --grant it can", () -> programInHomeBin(suite, id, profile)));
                tests.add(Named.test(id, profile + ": a server in /tmp cannot read /tmp/other-secret or connect to a socket"
                        + " in /tmp; control: the server's uid can, uncontained", () -> programInTmp(suite, id, profile)));
            }
            tests.add(Named.test(id, "an install prefix holding a credential file below its top (etc/deep/.env): only"
                    + " the program is mounted, the secret and lib/ are ENOENT; controls: without the secret lib/ is"
                    + " mounted, with --grant the secret is read", () -> deepCredentials(suite, id, "etc/deep/.env")));
            for (String variant : List.of(".env.local", "config/prod.env", "etc/.vault-token", ".git/config")) {
                tests.add(Named.test(id, "variant: an install prefix holding " + variant + ": only the program is"
                        + " mounted (ENOENT); controls as above", () -> deepCredentials(suite, id, variant)));
            }
            tests.add(Named.test(id, "an interpreter script in the home: --dry-run mounts the script alone, never the"
                    + " home, and says how to grant more", () -> scriptInHome(suite, id)));
            return Named.group(id, tests);
        });
    }

    private static void programInHomeBin(EscapeSuite suite, Identity id, String profile) throws IOException {
        String tag = EscapeSuite.randomHex(4);
        Path home = id.home();
        List<Path> created = new ArrayList<>();
        try {
            Path bin = createDir(id, home.resolve("bin"), created);
            Path cargo = createDir(id, home.resolve(".cargo"), created);
            Path credentials = cargo.resolve("credentials.toml");
            if (!Files.exists(credentials)) {
                suite.ownedFile(id, credentials, "[registry]\ntoken = \"it-" + tag + "\"\n");
                created.add(0, credentials);
            }
            Path sibling = suite.ownedFile(id, bin.resolve("mcp-contain-it-secret-" + tag), "secret");
            created.add(0, sibling);
            Path server = bin.resolve("mcp-contain-it-srv-" + tag);
            Files.copy(suite.probe(), server, StandardCopyOption.REPLACE_EXISTING);
            EscapeSuite.chmod(server, "rwxr-xr-x");
            EscapeSuite.chown(server, id.user());
            created.add(0, server);
            Steps steps = Steps.of().add("credentials", "read", credentials).add("sibling", "read", sibling)
                    .add("cargo", "stat", cargo);
            RunResult contained = launch(suite, id, "home-bin", profile, server, steps).run();
            contained.assertDenied("credentials", "ENOENT");
            contained.assertDenied("sibling", "ENOENT");
            contained.assertDenied("cargo", "ENOENT");
            contained.assertExit(0);
            // Control: the same launch, the folders granted explicitly: the same files are readable.
            RunResult granted = launch(suite, id, "home-bin-granted", profile, server, steps)
                    .grant(cargo, "ro").grant(bin, "ro").run();
            granted.assertAllowed("credentials");
            granted.assertAllowed("sibling");
            if (!id.root()) {
                // And the server's own uid reads them uncontained (for root launchers /root's 0700 stops the agent).
                RunResult control = suite.control(id, Steps.of().add("credentials", "read", credentials));
                control.assertAllowed("credentials");
            }
        } finally {
            created.forEach(ProgramMountIT::deleteQuietly);
        }
    }

    private static void programInTmp(EscapeSuite suite, Identity id, String profile) throws IOException {
        String tag = EscapeSuite.randomHex(4);
        Path tmp = Path.of("/tmp");
        Path secret = suite.ownedFile(id, tmp.resolve("mcp-contain-it-other-secret-" + tag), "secret");
        Path socket = tmp.resolve("mcp-contain-it-sock-" + tag);
        Path server = tmp.resolve("mcp-contain-it-srv-" + tag);
        try (ServerSocketChannel listener = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            EscapeSuite.chmod(socket, "rwxrwxrwx");
            Files.copy(suite.probe(), server, StandardCopyOption.REPLACE_EXISTING);
            EscapeSuite.chmod(server, "rwxr-xr-x");
            EscapeSuite.chown(server, id.user());
            Steps steps = Steps.of().add("secret", "read", secret).add("socket", "unix-connect", socket);
            RunResult contained = launch(suite, id, "tmp", profile, server, steps).run();
            contained.assertDenied("secret", "ENOENT");
            contained.assertDenied("socket", "ENOENT");
            contained.assertExit(0);
            RunResult control = suite.control(id, steps);
            control.assertAllowed("secret");
            control.assertAllowed("socket");
        } finally {
            deleteQuietly(server);
            deleteQuietly(secret);
            deleteQuietly(socket);
        }
    }

    private static void deepCredentials(EscapeSuite suite, Identity id, String secretPath) throws IOException {
        Path prefix = suite.ownedDir(id, suite.workDir(id, "deep-credentials").resolve("tool"), "rwxr-xr-x");
        Path bin = suite.ownedDir(id, prefix.resolve("bin"), "rwxr-xr-x");
        Path lib = suite.ownedDir(id, prefix.resolve("lib"), "rwxr-xr-x");
        Path readme = suite.ownedFile(id, lib.resolve("readme.txt"), "lib\n");
        Path deep = prefix;
        Path relative = Path.of(secretPath);
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            deep = suite.ownedDir(id, deep.resolve(relative.getName(i).toString()), "rwxr-xr-x");
        }
        // A git config's credential is a remote URL with a token; any other file's is the file itself.
        String content = secretPath.endsWith(".git/config")
                ? "[remote \"origin\"]\n\turl = https://x-access-token:it-secret@github.invalid/o/r.git\n"
                : "TOKEN=it-secret\n";
        Path secret = suite.ownedFile(id, deep.resolve(relative.getFileName().toString()), content);
        Path server = bin.resolve("srv");
        Files.copy(suite.probe(), server, StandardCopyOption.REPLACE_EXISTING);
        EscapeSuite.chmod(server, "rwxr-xr-x");
        EscapeSuite.chown(server, id.user());
        Steps steps = Steps.of().add("secret", "read", secret).add("lib", "read", readme);
        RunResult contained = launch(suite, id, "deep-credentials", "default", server, steps).run();
        contained.assertDenied("secret", "ENOENT");
        contained.assertDenied("lib", "ENOENT");
        contained.assertExit(0);
        RunResult granted = launch(suite, id, "deep-credentials-granted", "default", server, steps)
                .grant(prefix, "ro").run();
        granted.assertAllowed("secret");
        granted.assertAllowed("lib");
        Files.delete(secret);
        RunResult without = launch(suite, id, "deep-credentials-none", "default", server,
                Steps.of().add("lib", "read", readme)).run();
        without.assertAllowed("lib");
    }

    private static void scriptInHome(EscapeSuite suite, Identity id) throws IOException {
        String tag = EscapeSuite.randomHex(4);
        Path script = suite.ownedFile(id, id.home().resolve("mcp-contain-it-server-" + tag + ".js"), "1\n");
        Path marker = id.home().resolve("package.json");
        boolean madeMarker = !Files.exists(marker);
        try {
            if (madeMarker) {
                suite.ownedFile(id, marker, "{}");
            }
            Launch launch = suite.launch(id, "script-home").server("/usr/bin/node", script.toString());
            String text = launch.dryRun().text();
            assertTrue(text.contains(" " + script + "  (program:") && text.contains("--grant DIR:ro"), text);
            assertFalse(text.lines().anyMatch(l -> l.contains(" " + id.home() + "  (program:")), "the home is not mounted\n" + text);
        } finally {
            deleteQuietly(script);
            if (madeMarker) {
                deleteQuietly(marker);
            }
        }
    }

    private static Launch launch(EscapeSuite suite, Identity id, String purpose, String profile, Path server, Steps steps) {
        List<String> command = new ArrayList<>();
        command.add(server.toString());
        command.addAll(steps.arguments());
        return suite.launch(id, purpose).profile(profile).server(command.toArray(String[]::new));
    }

    /** The directory, created (owned by ID, 0755) and remembered for removal if it did not exist. */
    private static Path createDir(Identity id, Path dir, List<Path> created) {
        if (!Files.isDirectory(dir)) {
            EscapeSuite.mkdirs(dir, "rwxr-xr-x");
            EscapeSuite.chown(dir, id.user());
            created.add(dir);
        }
        return dir;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove test file " + path, e);
        }
    }
}
