package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, class 5: a grant cannot unmask what the root filesystem masks. Whole system directories (or a link to
 * one) are refused; a grant of a sub-folder holding a masked path keeps it masked, because the masks are mounted
 * after the grants. mcp-contain's own state is never granted, and is hidden inside a grant that holds it.
 */
class SystemGrantIT {

    @TestFactory
    Stream<DynamicNode> systemGrants() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String grant : List.of("/etc", "/etc:rw", "/usr", "/var", "/proc", "/run", "/boot", "/dev")) {
                tests.add(Named.test(id, "--grant " + grant + ": refused (125, one line)", () -> {
                    RunResult r = suite.launch(id, "system-grant").option("--grant", grant).server("/bin/true").run();
                    r.assertExit(125);
                    assertEquals(1, r.stderr().lines().count(), r::toString);
                    assertTrue(r.stderr().contains("is the system directory " + grant.replace(":rw", "")), r::toString);
                }));
            }
            tests.add(Named.test(id, "a symlink to /etc: refused without ',follow', and with it as /etc itself", () -> {
                Path link = suite.workDir(id, "etc-link").resolve("etc");
                try {
                    Files.createSymbolicLink(link, Path.of("/etc"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                EscapeSuite.chown(link, id.user());
                RunResult plain = suite.launch(id, "etc-link").grant(link, "ro").server("/bin/true").run().assertExit(125);
                assertTrue(plain.stderr().contains(link + " is a symbolic link"), plain::toString);
                RunResult followed = suite.launch(id, "etc-link-follow").grant(link, "ro,follow").server("/bin/true").run()
                        .assertExit(125);
                assertTrue(followed.stderr().contains("is the system directory /etc"), followed::toString);
            }));
            tests.add(Named.test(id, "control: a sub-folder of a system directory may be granted", () ->
                    suite.launch(id, "usr-share").grant(Path.of("/usr/share"), "ro").server("/bin/true").run().assertExit(0)));

            Path opasswd = Path.of("/etc/security/opasswd");
            Path sslPrivate = Path.of("/etc/ssl/private");
            Lazy<RunResult> masked = Lazy.of(() -> {
                EscapeSuite.requireThat(Files.exists(opasswd) && Files.isDirectory(sslPrivate),
                        "this host has no " + opasswd + " or " + sslPrivate + " to keep masked inside a grant");
                return suite.launch(id, "masked-in-grant").grant(opasswd.getParent(), "ro").grant(sslPrivate.getParent(), "ro")
                        .probe(Steps.of()
                                .add("opasswd", "read", opasswd)
                                .add("opasswd-stat", "stat", opasswd)
                                .add("ssl-private", "ls", sslPrivate)
                                .add("ssl-private-stat", "stat", sslPrivate)
                                .add("limits", "read", "/etc/security/limits.conf")).run();
            });
            tests.add(Named.test(id, "granting /etc/security and /etc/ssl keeps opasswd and ssl/private masked (mode 0000)", () -> {
                RunResult r = masked.get();
                r.assertDenied("opasswd", "EACCES");
                assertEquals("0000", r.assertAllowed("opasswd-stat").field("mode").orElse(""), r::toString);
                r.assertDenied("ssl-private", "EACCES");
                assertEquals("0000", r.assertAllowed("ssl-private-stat").field("mode").orElse(""), r::toString);
            }));
            tests.add(Named.test(id, "control: the rest of the granted folder is readable", () ->
                    masked.get().assertAllowed("limits")));
            if (id.root()) {
                tests.add(Named.test(id, "control: a root launcher's grant hands root's 0600 files to the agent"
                        + " (what the mask stops for opasswd)", () -> {
                    Path dir = suite.workDir(id, "root-owned");
                    Path secret = suite.ownedFile(id, dir.resolve("secret"), "root-only\n");
                    EscapeSuite.chmod(secret, "rw-------");
                    RunResult r = suite.launch(id, "root-owned").grant(dir, "ro")
                            .probe(Steps.of().add("secret", "read", secret)).run();
                    assertEquals("root-only", r.assertAllowed("secret").field("text").orElse(""), r::toString);
                }));
            }
            tests.add(Named.test(id, "a grant that is itself a masked path: refused (125)", () -> {
                RunResult r = suite.launch(id, "masked-itself").grant(Path.of("/etc/shadow"), "ro").server("/bin/true").run();
                r.assertExit(125);
                assertTrue(r.stderr().contains("/etc/shadow, which stays hidden"), r::toString);
            }));

            Path data = id.root() ? Path.of("/var/lib/mcp-contain") : id.home().resolve(".local/share/mcp-contain");
            tests.add(Named.test(id, "mcp-contain's own state: refused as a grant", () -> {
                suite.launch(id, "state-prepare").server("/bin/true").run().assertExit(0);
                RunResult r = suite.launch(id, "own-state").grant(data.resolve("homes"), "ro").server("/bin/true").run();
                r.assertExit(125);
                assertTrue(r.stderr().contains("mcp-contain's own state or configuration"), r::toString);
            }));
            tests.add(Named.test(id, "a grant holding mcp-contain's state hides other servers' homes; its own home works", () -> {
                suite.launch(id, "state-prepare").server("/bin/true").run().assertExit(0);
                Path other = data.resolve("homes").resolve("it-other-" + EscapeSuite.randomHex(4));
                suite.ownedDir(id, other, "rwx------");
                suite.onCleanup(() -> EscapeSuite.deleteTree(other));
                Path secret = suite.ownedFile(id, other.resolve("token"), "other-server\n");
                Launch launch = suite.launch(id, "state-hidden");
                RunResult r = launch.grant(data.getParent(), "ro").probe(Steps.of()
                        .add("other", "read", secret)
                        .add("own-home", "write", data.resolve("homes").resolve(launch.name()).resolve("made-here"))).run();
                r.assertDenied("other", "ENOENT");
                r.assertAllowed("own-home");
                RunResult control = suite.controlAsLauncher(id, Steps.of().add("other", "read", secret));
                control.assertAllowed("other");
                assertFalse(r.stdout().contains("other-server"), r::toString);
            }));
            return Named.group(id, tests);
        });
    }
}
