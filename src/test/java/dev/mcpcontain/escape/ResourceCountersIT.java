package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Issue 7, class 6: the bombs the byte limits did not stop. The agent home's size (homeSize), inodes of every
 * tmpfs, and the per-user kernel counters (inotify), each against its limit read from the plan, next to a control
 * that does the same below the limit or outside the containment.
 */
class ResourceCountersIT {

    private static final long MIB = 1 << 20;

    /** A profile file every launching user can read: strict with LIMITS (a JSON object body) on top. */
    static Path profile(EscapeSuite suite, String name, String limits) {
        Path file = suite.staging().resolve(name + ".json");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "{\"extends\": \"strict\", \"limits\": {" + limits + "}}\n");
                EscapeSuite.chmod(file, "rw-r--r--");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @TestFactory
    Stream<DynamicNode> homeSizeBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> profile = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\""));
            Lazy<Launch> bomb = Lazy.of(() -> suite.launch(id, "home-bomb").profile(profile.get().toString()));
            Lazy<String> home = Lazy.of(() -> AgentHomeIT.homes(id).resolve(bomb.get().name()).toString());
            Lazy<RunResult> bombed = Lazy.of(() -> bomb.get().probe(Steps.of().add("bomb", "fill", home.get() + "/bomb", 512 * MIB)).run());
            Lazy<RunResult> again = Lazy.of(() -> {
                bombed.get();
                return new Launch(suite, id, bomb.get().name()).profile(profile.get().toString()).probe(Steps.of().add("ids", "ids")).run();
            });
            Lazy<RunResult> small = Lazy.of(() -> {
                Launch control = suite.launch(id, "home-small").profile(profile.get().toString());
                String h = AgentHomeIT.homes(id).resolve(control.name()).toString();
                return control.probe(Steps.of().add("small", "fill", h + "/small", 4 * MIB)).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the plan carries homeSize 16 MiB", () ->
                    assertEquals(16 * MIB, suite.launch(id, "home-plan").profile(profile.get().toString()).probe(Steps.of())
                            .dryRun().limit("homeSize"))));
            tests.add(Named.test(id, "a disk bomb in the home is stopped (137) with a clear message before it wrote its 512 MiB", () -> {
                RunResult r = bombed.get();
                r.assertExit(137);
                assertTrue(r.find("bomb").isEmpty(), () -> "stopped before it could report\n" + r);
                assertTrue(r.stderr().contains("over its homeSize of " + 16 * MIB + " bytes; server stopped"), r::toString);
            }));
            tests.add(Named.test(id, "the next launch with the home over homeSize is refused (125) with one line", () -> {
                RunResult r = again.get();
                r.assertExit(125);
                assertTrue(r.stderr().contains("before the start, over its homeSize of " + 16 * MIB + " bytes"), r::toString);
            }));
            tests.add(Named.test(id, "control: 4 MiB in the home (below homeSize) are fine", () -> {
                small.get().assertExit(0);
                assertEquals(4 * MIB, small.get().assertAllowed("small").longField("bytes"));
            }));
            return Named.group(id, tests);
        });
    }

    /** Empty files cost no bytes but an inode each: /tmp and /dev/shm end at nr_inodes (one per KiB of tmpSize). */
    @TestFactory
    Stream<DynamicNode> inodeBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> profile = Lazy.of(() -> profile(suite, "tmp-2m", "\"tmpSize\": \"2M\""));
            Lazy<RunResult> bomb = Lazy.of(() -> suite.launch(id, "inode-bomb").profile(profile.get().toString())
                    .probe(Steps.of().add("tmp", "manyfiles", "/tmp", 2_000_000).add("shm", "manyfiles", "/dev/shm", 2_000_000)
                            .add("tmp-small", "manyfiles", "/tmp", 1000)).run());
            Lazy<RunResult> host = Lazy.of(() -> {
                Path dir = suite.workDir(id, "inodes");
                EscapeSuite.chmod(dir.getParent(), "rwx--x--x");
                EscapeSuite.chmod(dir, "rwxrwxrwx");
                return suite.control(id, Steps.of().add("host", "manyfiles", dir, 3000));
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "2 million empty files in /tmp: ENOSPC at the 2048 inodes of a 2 MiB tmpfs", () -> {
                long files = bomb.get().assertDenied("tmp", "ENOSPC").longField("files");
                assertTrue(files >= 2000 && files < 2048, () -> files + " files\n" + bomb.get());
            }));
            tests.add(Named.test(id, "the same in /dev/shm: ENOSPC below 2048", () -> {
                long files = bomb.get().assertDenied("shm", "ENOSPC").longField("files");
                assertTrue(files < 2048, () -> files + " files\n" + bomb.get());
            }));
            tests.add(Named.test(id, "control: 1000 files in /tmp are fine; the same uid makes 3000 on the host", () -> {
                assertEquals(1000, bomb.get().assertAllowed("tmp-small").longField("files"));
                assertEquals(3000, host.get().assertAllowed("host").longField("files"));
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * inotify instances count per uid; inside the server's own user namespace they end at that namespace's limit,
     * below the host's, so the uid's other processes (the desktop, other servers) keep the rest. Control: the same
     * uid outside gets further.
     */
    @TestFactory
    Stream<DynamicNode> inotifyBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().flatMap(id -> Stream.of("full", "landlock")
                .filter(isolation -> isolation.equals("full") || id.root())
                .map(isolation -> {
                    Lazy<Long> limit = Lazy.of(() -> Long.parseLong(suite.launch(id, "inotify-plan").isolation(isolation)
                            .probe(Steps.of()).dryRun().text().replaceAll("(?s).*max_inotify_instances=(\\d+).*", "$1")));
                    Lazy<RunResult> bomb = Lazy.of(() -> suite.launch(id, "inotify-bomb").isolation(isolation)
                            .probe(Steps.of().add("bomb", "inotify-bomb", 100_000)).run());
                    Lazy<RunResult> host = Lazy.of(() -> suite.control(id, Steps.of().add("bomb", "inotify-bomb", 100_000)));
                    List<DynamicNode> tests = new ArrayList<>();
                    tests.add(Named.test(id, isolation + ": inotify_init1 loop: EMFILE at the namespace's limit", () -> {
                        long n = bomb.get().assertDenied("bomb", "EMFILE").longField("instances");
                        assertEquals(limit.get(), n, bomb.get()::toString);
                    }));
                    tests.add(Named.test(id, isolation + ": control: the same uid outside gets further (the host's limit is higher)", () -> {
                        long inside = bomb.get().line("bomb").longField("instances");
                        long outside = host.get().line("bomb").longField("instances");
                        assertTrue(outside > inside, () -> "outside " + outside + ", inside " + inside + "\n" + host.get());
                    }));
                    return Named.group(id, tests);
                }));
    }
}
