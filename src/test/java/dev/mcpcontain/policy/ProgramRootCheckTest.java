package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure decision: host facts in, a reason to refuse (or none) out. */
class ProgramRootCheckTest {

    private static final ProgramRootCheck.HostPlaces HOST = new ProgramRootCheck.HostPlaces(
            Set.of(Path.of("/home/alice"), Path.of("/home"), Path.of("/root"), Path.of("/srv/users/bob"),
                    Path.of("/var/lib/mcp-contain")),
            Set.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/dev/shm"), Path.of("/run"), Path.of("/run/user/1000"),
                    Path.of("/scratch/tmp")));

    private static Optional<String> check(String dir, String... names) {
        return ProgramRootCheck.refusal(Path.of(dir), HOST, Set.of(names));
    }

    private static void refused(String dir, String why, String... names) {
        Optional<String> r = check(dir, names);
        assertTrue(r.isPresent() && r.get().contains(why), () -> dir + " " + List.of(names) + ": " + r);
    }

    @Test
    void homesAndWhatHoldsThemAreRefused() {
        refused("/", "root of the filesystem");
        refused("/home", "home directory");
        refused("/home/alice", "is a home directory");
        refused("/root", "is a home directory");
        refused("/srv", "contains the home directory /srv/users/bob");
        refused("/var/lib", "contains the home directory /var/lib/mcp-contain");
    }

    @Test
    void sharedTemporaryDirectoriesAndWhatHoldsThemAreRefused() {
        for (String temp : List.of("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/user/1000", "/scratch/tmp")) {
            refused(temp, "shared temporary directory");
        }
        refused("/var", "contains");
        refused("/scratch", "contains the shared temporary directory /scratch/tmp");
    }

    @Test
    void credentialStoresAndDotDirectoriesOfAHomeAreRefused() {
        refused("/home/alice/.cargo", "store of configuration and credentials");
        refused("/home/alice/.cargo/registry/src/index/foo-1.0", "store of configuration and credentials");
        refused("/home/alice/.config/some-server", "store of configuration and credentials");
        refused("/home/alice/.aws", "store");
        refused("/home/alice/.ssh", "store");
        refused("/home/alice/.npm", "dot-directory of the home");
        refused("/home/alice/.local", "dot-directory of the home");
        refused("/home/alice/.local/share", "dot-directory of the home");
        assertEquals(Optional.empty(), check("/home/alice/.local/share/pipx/venvs/srv", "bin", "lib", "pyvenv.cfg"));
        assertEquals(Optional.empty(), check("/home/alice/.nvm/versions/node/v20.1.0", "bin", "lib", "include"));
    }

    @Test
    void credentialFilesAtTheTopLevelAreRefused() {
        for (String name : List.of("credentials.toml", ".npmrc", ".netrc", ".pypirc", ".git-credentials", "id_rsa",
                "id_ed25519.pub", "tls.pem", "server.key", "store.p12", ".env", ".pgpass", "credentials")) {
            refused("/opt/srv", "credential file " + name, "bin", "lib", name);
        }
        refused("/opt/srv", ".ssh, a store", "bin", ".ssh");
        refused("/opt/srv", "looks like a home directory", "bin", ".bashrc");
    }

    /** Variants of listed names: the dotenv family, histories, tokens stored as files; templates pass. */
    @Test
    void variantsOfCredentialNamesAreRefusedAtAnyDepth(@TempDir Path dir) throws IOException {
        for (String name : List.of(".env.local", ".env.production", ".ENV.development.local", "prod.env",
                "secrets.yaml", ".vault-token", ".bash_history", ".psql_history", "client_secret_123.json",
                "terraform.tfstate", ".s3cfg")) {
            refused("/opt/srv", "credential file " + name, "bin", "lib", name);
            Path app = Files.createDirectories(dir.resolve("app-" + name.hashCode()).resolve("config"));
            Files.writeString(app.resolve(name), "SECRET=1");
            assertEquals(Optional.of(app.getParent() + " holds the credential file config/" + name),
                    ProgramRootCheck.deepRefusal(app.getParent(), 100));
        }
        for (String name : List.of(".env.example", ".env.sample", ".env.template", "environment.ts", "README.md")) {
            assertEquals(Optional.empty(), check("/opt/srv", "bin", "lib", name), name);
        }
    }

    /** .git is not searched by name, but a token in its config (a clone URL, a CI extraheader) refuses the root. */
    @Test
    void aTokenInAGitConfigIsACredential(@TempDir Path dir) throws IOException {
        Path app = Files.createDirectories(dir.resolve("srv/.git"));
        Files.writeString(app.resolve("config"), "[remote \"origin\"]\n\turl = https://github.com/o/r.git\n");
        assertEquals(Optional.empty(), ProgramRootCheck.deepRefusal(app.getParent(), 100));
        for (String secret : List.of("\turl = https://x-access-token:ghp_abc@github.com/o/r.git\n",
                "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic eA==\n")) {
            Files.writeString(app.resolve("config"), "[remote \"origin\"]\n" + secret);
            assertTrue(ProgramRootCheck.deepRefusal(app.getParent(), 100).orElseThrow().contains(".git/config"), secret);
        }
    }

    @Test
    void recognisedPlacesPass() {
        assertEquals(Optional.empty(), check("/opt/mcp-server", "bin", "lib", "share", "README"));
        assertEquals(Optional.empty(), check("/home/alice/work/app/node_modules", "@mcp", ".bin", ".package-lock.json"));
        assertEquals(Optional.empty(), check("/home/alice/node-v20", "bin", "lib", "include", "share"));
        assertEquals(Optional.empty(), check("/tmp/build-1/prefix", "bin", "lib"));
    }

    @Test
    void passwdHomesAreRead(@TempDir Path dir) throws IOException {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/srv/users/bob:/bin/sh\nbroken\n");
        assertEquals(List.of(Path.of("/root"), Path.of("/srv/users/bob")), ProgramRootCheck.passwdHomes(passwd));
    }

    @Test
    void theRealHostListsHomesAndTemps() {
        ProgramRootCheck.HostPlaces places = ProgramRootCheck.HostPlaces.of(HostEnvironment.current());
        assertTrue(places.homes().contains(Path.of("/root")) && places.homes().contains(Path.of("/home")), places::toString);
        assertTrue(places.sharedTemps().contains(Path.of("/tmp")) && places.sharedTemps().contains(Path.of("/dev/shm")),
                places::toString);
    }

    @Test
    void credentialsBelowTheTopLevelAreFoundOutsideThirdPartyTrees(@TempDir Path dir) throws IOException {
        Path app = Files.createDirectories(dir.resolve("opt/app"));
        Files.createDirectories(app.resolve("bin"));
        Files.createDirectories(app.resolve("node_modules/lib/test"));
        Files.writeString(app.resolve("node_modules/lib/test/.npmrc"), "fixture");
        Files.writeString(app.resolve("bin/tool"), "#!/bin/sh\n");
        assertEquals(Optional.empty(), ProgramRootCheck.deepRefusal(app, 100));
        Files.createDirectories(app.resolve("etc/deep"));
        Files.writeString(app.resolve("etc/deep/.env"), "SECRET=1");
        assertEquals(Optional.of(app + " holds the credential file etc/deep/.env"), ProgramRootCheck.deepRefusal(app, 100));
        Files.delete(app.resolve("etc/deep/.env"));
        Files.createDirectories(app.resolve("etc/deep/.aws"));
        assertTrue(ProgramRootCheck.deepRefusal(app, 100).orElseThrow().contains("etc/deep/.aws, a store"));
        Files.delete(app.resolve("etc/deep/.aws"));
        assertTrue(ProgramRootCheck.deepRefusal(app, 3).orElseThrow().contains("more than 3 entries"));
        assertEquals(Optional.empty(), ProgramRootCheck.deepRefusal(app.resolve("node_modules/lib"), 100),
                "inside a package tree nothing is searched");
    }
}
