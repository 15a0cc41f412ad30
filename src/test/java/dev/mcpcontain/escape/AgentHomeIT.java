package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The persistent agent home, which a server writes and a later launch (maybe by root) works on again (issues 7 and
 * 9): links a previous run planted are never followed by the launcher, nobody else reaches a home, and no server
 * reaches another server's home. Each attack is what a server can really do: the "previous run" is a contained
 * run that plants the link from inside.
 */
class AgentHomeIT {

    static Path homes(Identity id) {
        return id.root() ? Path.of("/var/lib/mcp-contain/homes") : id.home().resolve(".local/share/mcp-contain/homes");
    }

    /** A user's directory of homes is its own 0700; root's is group mcp-agent 0710 (agents pass through, no one else). */
    static String homesMode(Identity id) {
        return id.root() ? "0710" : "0700";
    }

    /** What a file or directory is, without following a link: "mode uid:gid type". */
    static String describe(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            String type = Files.isSymbolicLink(path) ? "link" : Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file";
            return String.format("%04o %s:%s %s", ((Integer) a.get("mode")) & 07777, a.get("uid"), a.get("gid"), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Planted(Path victim, String victimBefore, String serverHome, RunResult plant, RunResult next) {}

    /**
     * A previous run replaces $HOME/tmp by a link to a folder of the launching user (root: a root-owned system-like
     * folder; user: a private one, as ~/.ssh). The next launch in landlock isolation (the mode that uses
     * $HOME/tmp) must neither chown nor grant it.
     */
    @TestFactory
    Stream<DynamicNode> plantedLinkInTheHome() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Planted> planted = Lazy.of(() -> {
                Path work = suite.workDir(id, "victim");
                EscapeSuite.chmod(work.getParent(), "rwx--x--x");
                EscapeSuite.chmod(work, "rwx--x--x");
                Path victim = suite.ownedDir(id, work.resolve("victim"), id.root() ? "rwxr-xr-x" : "rwx------");
                suite.ownedFile(id, victim.resolve("secret"), "victim\n");
                String before = describe(victim);
                Launch first = suite.launch(id, "planter");
                String home = homes(id).resolve(first.name()).toString();
                RunResult plant = first.probe(Steps.of()
                        .add("rmdir", "rmdir", home + "/tmp")
                        .add("plant", "symlink", victim, home + "/tmp")).run();
                Launch next = new Launch(suite, id, first.name()).landlockAccepting();
                RunResult run = next.probe(Steps.of()
                        .add("through", "read", home + "/tmp/secret")
                        .add("direct", "read", victim.resolve("secret"))
                        .add("write-direct", "write", victim.resolve("new"))
                        .add("tmp-write", "write", home + "/tmp/x")
                        .add("tmp", "stat", home + "/tmp")).run();
                return new Planted(victim, before, home, plant, run);
            });
            Lazy<RunResult> control = Lazy.of(() -> {
                Launch fresh = suite.launch(id, "home-control").landlockAccepting();
                String home = homes(id).resolve(fresh.name()).toString();
                return fresh.probe(Steps.of().add("tmp-write", "write", home + "/tmp/x").add("tmp", "stat", home + "/tmp")).run();
            });
            String serverIds = id.serverUser().uid() + ":" + id.serverUser().gid();
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the previous run planted $HOME/tmp -> victim from inside", () -> {
                planted.get().plant().assertAllowed("plant");
                planted.get().plant().assertExit(0);
            }));
            tests.add(Named.test(id, "next launch: the victim is neither chowned nor chmodded", () ->
                    assertEquals(planted.get().victimBefore(), describe(planted.get().victim()), planted.get().next()::toString)));
            tests.add(Named.test(id, "next launch: the link is replaced by a real directory of the server's, and said so", () -> {
                RunResult r = planted.get().next();
                r.assertExit(0);
                assertTrue(r.stderr().contains("/tmp was a symbolic link (left by an earlier run); replaced it by a directory"), r::toString);
                assertEquals("mode=0700 uid=" + serverIds.replace(":", " gid=") + " type=dir", r.assertAllowed("tmp").detail(), r::toString);
                assertEquals("0700 " + serverIds + " dir", describe(Path.of(planted.get().serverHome(), "tmp")));
            }));
            tests.add(Named.test(id, "next launch: the victim is not granted (Landlock), neither through the old link nor directly", () -> {
                RunResult r = planted.get().next();
                r.assertDenied("through", "ENOENT");
                r.assertDenied("direct", "EACCES");
                r.assertDenied("write-direct", "EACCES");
                r.assertAllowed("tmp-write");
            }));
            tests.add(Named.test(id, "control: without a planted link the home and its tmp are set up and writable", () -> {
                RunResult r = control.get();
                r.assertExit(0);
                r.assertAllowed("tmp-write");
                assertEquals("mode=0700 uid=" + serverIds.replace(":", " gid=") + " type=dir", r.assertAllowed("tmp").detail(), r::toString);
                assertFalse(r.stderr().contains("was a symbolic link"), r::toString);
            }));
            tests.add(Named.test(id, "a home that is itself a link: refused (125) with one line, the target untouched", () -> {
                Path work = suite.workDir(id, "home-link");
                Path target = suite.ownedDir(id, work.resolve("target"), "rwxr-xr-x");
                String before = describe(target);
                Launch launch = suite.launch(id, "home-is-link");
                Path link = homes(id).resolve(launch.name());
                try {
                    Files.createDirectories(homes(id));
                    Files.createSymbolicLink(link, target);
                    RunResult r = launch.probe(Steps.of().add("ids", "ids")).run();
                    r.assertExit(125);
                    assertTrue(r.stderr().contains("refusing to use " + link + ": it is a symbolic link"), r::toString);
                    assertEquals(before, describe(target));
                } finally {
                    deleteQuietly(link);
                }
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * A server opens its home to the world (chmod 0755, a 0644 file). Another local account still cannot reach the
     * file: the directory holding the homes is 0700. Control: with that directory (and its parents) relaxed, the
     * same account reads the same file. The next start puts the home back to 0700.
     */
    @TestFactory
    Stream<DynamicNode> otherUsersCannotReachAHome() {
        EscapeSuite suite = EscapeSuite.get();
        requireRoot(suite);
        return suite.identities().stream().map(id -> {
            Identity other = suite.identities().stream().filter(o -> o != id).findFirst().orElseThrow();
            Identity.Account reader = other.serverUser();
            List<String> readAs = List.of("runuser", "-u", reader.name(), "--");
            Lazy<String> home = Lazy.of(() -> {
                Launch launch = suite.launch(id, "open-home");
                String h = homes(id).resolve(launch.name()).toString();
                launch.probe(Steps.of().add("write", "write", h + "/secret.txt").add("chmod-file", "chmod", h + "/secret.txt", "0644")
                        .add("chmod-home", "chmod", h, "0755")).run().assertExit(0);
                return h;
            });
            Lazy<RunResult> attempt = Lazy.of(() -> suite.exec("read as " + reader.name(), withProbe(suite, readAs, Steps.of()
                    .add("read", "read", home.get() + "/secret.txt").add("ls", "ls", home.get())), Map.of(), EscapeSuite.DEFAULT_TIMEOUT));
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the home is 0700, the directory of homes " + homesMode(id), () -> {
                home.get();
                assertEquals(homesMode(id), describe(homes(id)).substring(0, 4));
            }));
            tests.add(Named.test(id, reader.name() + " cannot read or list a home its server opened to the world: EACCES", () -> {
                attempt.get().assertDenied("read", "EACCES");
                attempt.get().assertDenied("ls", "EACCES");
            }));
            tests.add(Named.test(id, "control: with the directories above relaxed, " + reader.name() + " reads the same file", () -> {
                Map<Path, String> saved = new LinkedHashMap<>();
                Path stop = id.root() ? Path.of("/var/lib") : id.home();
                try {
                    for (Path p = homes(id); !p.equals(stop); p = p.getParent()) {
                        saved.put(p, describe(p).substring(0, 4));
                        EscapeSuite.chmod(p, "rwxr-xr-x");
                    }
                    RunResult r = suite.exec("read as " + reader.name() + " (relaxed)", withProbe(suite, readAs,
                            Steps.of().add("read", "read", home.get() + "/secret.txt")), Map.of(), EscapeSuite.DEFAULT_TIMEOUT);
                    r.assertAllowed("read");
                } finally {
                    saved.forEach((p, mode) -> EscapeSuite.chmod(p, symbolic(Integer.parseInt(mode, 8))));
                }
            }));
            tests.add(Named.test(id, "the next start puts the home back to 0700 (through its descriptor)", () -> {
                String h = home.get();
                Launch again = new Launch(suite, id, Path.of(h).getFileName().toString());
                again.probe(Steps.of().add("ids", "ids")).run().assertExit(0);
                assertEquals("0700", describe(Path.of(h)).substring(0, 4));
                assertEquals(homesMode(id), describe(homes(id)).substring(0, 4));
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Server B writes into its home and opens it to the world; server A (another name, same launcher) tries to
     * read, list and write there: not in its mount namespace (full) or outside its Landlock rules (landlock). The
     * control is B itself doing the same in the same mode.
     */
    @TestFactory
    Stream<DynamicNode> serversCannotReachEachOther() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().flatMap(id -> Stream.of("full", "landlock").map(isolation -> {
            Lazy<String> bHome = Lazy.of(() -> {
                Launch b = suite.launch(id, "server-b-" + isolation).isolation(isolation);
                String h = homes(id).resolve(b.name()).toString();
                b.probe(Steps.of().add("write", "write", h + "/b.txt").add("chmod-file", "chmod", h + "/b.txt", "0666")
                        .add("chmod-home", "chmod", h, "0777")).run().assertExit(0);
                return h;
            });
            Lazy<RunResult> a = Lazy.of(() -> suite.launch(id, "server-a-" + isolation).isolation(isolation)
                    .probe(Steps.of().add("read", "read", bHome.get() + "/b.txt").add("ls", "ls", bHome.get())
                            .add("plant", "write", bHome.get() + "/planted.txt")).run());
            Lazy<RunResult> bAgain = Lazy.of(() -> new Launch(suite, id, Path.of(bHome.get()).getFileName().toString())
                    .isolation(isolation).probe(Steps.of().add("read", "read", bHome.get() + "/b.txt")
                            .add("plant", "write", bHome.get() + "/own.txt")).run());
            String errno = isolation.equals("full") ? "ENOENT" : "EACCES";
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, isolation + ": server A cannot read, list or write server B's home: " + errno, () -> {
                a.get().assertDenied("read", errno);
                a.get().assertDenied("ls", errno);
                a.get().assertDenied("plant", errno);
                assertFalse(Files.exists(Path.of(bHome.get(), "planted.txt")));
            }));
            tests.add(Named.test(id, isolation + ": control: server B reads and writes there", () -> {
                bAgain.get().assertAllowed("read");
                bAgain.get().assertAllowed("plant");
            }));
            return Named.group(id, tests);
        }));
    }

    /**
     * Two servers whose code the arguments choose (here the same binary with other arguments, as {@code python3 -m
     * mcp_server_git} and {@code python3 -m mcp_server_fetch}, or {@code java -jar a.jar} and {@code b.jar}) and
     * no {@code --name}: server A plants a file in its home (where a Python server would find a
     * {@code usercustomize.py} at its next start); server B looks for it in its own home, its working directory.
     * Before, the identity hashed only the program, so both got one home and B ran A's code with B's grants.
     * Control: the same two launches given one name by {@code --name} share the home, and B finds the file.
     */
    @TestFactory
    Stream<DynamicNode> serversChosenByTheirArgumentsGetTheirOwnHome() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            String file = suite.newServerName("planted-by-a") + ".py";
            String shared = suite.newServerName("shared-home");
            Launch a = suite.launch(id, "a").unnamed().probe(Steps.of().add("plant", "write", file));
            Launch b = suite.launch(id, "b").unnamed().probe(Steps.of().add("read", "read", file));
            Lazy<String[]> homesOfAB = Lazy.of(() -> {
                String[] h = {a.dryRun().agentHome(), b.dryRun().agentHome()};
                suite.ownServerName(Path.of(h[0]).getFileName().toString());
                suite.ownServerName(Path.of(h[1]).getFileName().toString());
                return h;
            });
            Lazy<RunResult> attack = Lazy.of(() -> {
                homesOfAB.get();
                a.run().assertExit(0);
                return b.run();
            });
            Lazy<RunResult> control = Lazy.of(() -> {
                new Launch(suite, id, shared).probe(Steps.of().add("plant", "write", file)).run().assertExit(0);
                return new Launch(suite, id, shared).probe(Steps.of().add("read", "read", file)).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "server B (same program, other arguments) does not get server A's home: ENOENT", () -> {
                String[] h = homesOfAB.get();
                assertFalse(h[0].equals(h[1]), "one home for both: " + h[0]);
                attack.get().assertDenied("read", "ENOENT");
                assertTrue(Files.exists(Path.of(h[0], file)), "A's plant is in A's home");
            }));
            tests.add(Named.test(id, "control: the same two launches with one --name share the home; B reads A's file", () ->
                    control.get().assertAllowed("read")));
            return Named.group(id, tests);
        });
    }

    private static void requireRoot(EscapeSuite suite) {
        EscapeSuite.requireThat(suite.suiteIsRoot(), "needs a root suite (two accounts: the launcher's and another)");
    }

    private static List<String> withProbe(EscapeSuite suite, List<String> prefix, Steps steps) {
        List<String> command = new ArrayList<>(prefix);
        command.add(suite.probe().toString());
        command.addAll(steps.arguments());
        return command;
    }

    private static String symbolic(int mode) {
        StringBuilder s = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return s.toString();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("cannot delete " + path + ": " + e);
        }
    }
}
