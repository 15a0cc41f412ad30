package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * Red team, per-host counter variant: ptys. Every devpts instance draws from one host-wide pool (kernel.pty.max
     * less the host's reserve, 3072 by default); a server held all 3071 and every other server and container got
     * ENOSPC from /dev/ptmx. Its private devpts now holds at most the plan's number (read from the dry run).
     * Control: the server's uid, unconfined, opens more than that on the host.
     */
    @TestFactory
    Stream<DynamicNode> ptyBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("strict", "default")) {
                tests.add(Named.test(id, profile + ": /dev/ptmx until it fails: ENOSPC at the plan's pty limit", () -> {
                    Launch launch = suite.launch(id, "pty-bomb").profile(profile).probe(Steps.of().add("ptys", "ptys", 1000));
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("its devpts at most (\\d+) ptys")
                            .matcher(launch.dryRun().text());
                    assertTrue(m.find(), "the dry run names no pty limit");
                    long limit = Long.parseLong(m.group(1));
                    assertTrue(limit < 1000, "limit " + limit);
                    RunResult r = launch.run();
                    r.assertDenied("ptys", "ENOSPC");
                    assertEquals(limit, r.find("ptys").orElseThrow().longField("ptys"), r::toString);
                }));
            }
            tests.add(Named.test(id, "control: the server's uid, unconfined, opens 200 ptys", () -> {
                RunResult r = suite.control(id, Steps.of().add("ptys", "ptys", 200));
                assertEquals(200, r.assertAllowed("ptys").longField("ptys"), r::toString);
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Red team, homeSize variant: inodes instead of bytes. Empty files occupy no block, only an inode of the
     * filesystem holding the home, which it shares with the host (/var/lib or the user's home; 80,000 were made under
     * a 256 MB homeSize and never stopped; millions would use up the inodes that /etc and /var/log need). Each entry
     * now counts for at least one 4 KiB block: 16 MiB allow 4,096 entries. Control: 1,000 empty files (4 MB counted)
     * stay below the limit.
     */
    @TestFactory
    Stream<DynamicNode> homeInodeBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> profile = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\""));
            Lazy<RunResult> bombed = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-inodes").profile(profile.get().toString());
                String dir = AgentHomeIT.homes(id).resolve(launch.name()) + "/many";
                return launch.probe(Steps.of().add("mkdir", "mkdir", dir).add("bomb", "manyfiles-keep", dir, 20000)
                        .add("wait", "sleep", 5)).run();
            });
            Lazy<RunResult> small = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-inodes-ctl").profile(profile.get().toString());
                String dir = AgentHomeIT.homes(id).resolve(launch.name()) + "/many";
                return launch.probe(Steps.of().add("mkdir", "mkdir", dir).add("few", "manyfiles-keep", dir, 1000)
                        .add("wait", "sleep", 1)).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "20,000 empty files in a home of 16 MiB: stopped (137), over homeSize", () -> {
                RunResult r = bombed.get();
                r.assertExit(137);
                assertTrue(r.stderr().contains("over its homeSize of " + 16 * MIB + " bytes; server stopped"), r::toString);
            }));
            tests.add(Named.test(id, "control: 1,000 empty files in the same home size are fine", () -> {
                small.get().assertExit(0);
                assertEquals("files=1000", small.get().assertAllowed("few").detail());
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Red team, homeSize variant: data hidden from the size walk by permissions. The server makes a directory of
     * its home 0300 (writable, not listable) or fills one and makes it 0600 (listable, entries not examinable). A
     * supervisor without CAP_DAC_OVERRIDE (every unprivileged launch) used to skip what it could not open or stat,
     * so any amount of data sat there unseen. Now what the walk cannot measure counts as over the limit. Control:
     * the same steps with the owner's permissions left alone and little data are fine.
     */
    @TestFactory
    Stream<DynamicNode> homeSizeHiddenByPermissions() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> profile = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\""));
            List<DynamicNode> tests = new ArrayList<>();
            for (String shape : List.of("unlistable-0300", "unsearchable-0600")) {
                boolean listable = shape.startsWith("unsearchable");
                Lazy<Launch> launch = Lazy.of(() -> suite.launch(id, "home-hide-" + shape.substring(0, 5)).profile(profile.get().toString()));
                Lazy<RunResult> hidden = Lazy.of(() -> {
                    String dir = AgentHomeIT.homes(id).resolve(launch.get().name()) + "/hide";
                    Steps steps = Steps.of().add("mkdir", "mkdir", dir);
                    if (!listable) {
                        steps.add("chmod", "chmod", dir, "0300");
                    }
                    steps.add("bomb", "fill-keep", dir + "/bomb", 64 * MIB);
                    if (listable) {
                        steps.add("chmod", "chmod", dir, "0600");
                    }
                    return launch.get().probe(steps.add("wait", "sleep", 5)).run();
                });
                Lazy<RunResult> again = Lazy.of(() -> {
                    hidden.get();
                    return new Launch(suite, id, launch.get().name()).profile(profile.get().toString()).probe(Steps.of().add("ids", "ids")).run();
                });
                tests.add(Named.test(id, shape + ": 64 MiB in a home directory the walk cannot examine: stopped (137), the home counts as over homeSize", () -> {
                    RunResult r = hidden.get();
                    r.assertExit(137);
                    // root's supervisor can read anything and counts the bytes; a user's says it cannot measure
                    assertTrue(r.stderr().contains("holds 671") && r.stderr().contains("over its homeSize of " + 16 * MIB
                            + " bytes; server stopped") || r.stderr().contains("it counts as over its homeSize (server stopped"), r::toString);
                }));
                tests.add(Named.test(id, shape + ": the next launch is refused (125) before the start", () -> {
                    RunResult r = again.get();
                    r.assertExit(125);
                    assertTrue(r.stderr().contains("before the start, over its homeSize of " + 16 * MIB)
                            || r.stderr().contains("before the start; it counts as over its homeSize"), r::toString);
                }));
            }
            tests.add(Named.test(id, "control: the same directory with the owner's permissions and 4 MiB is fine", () -> {
                Launch control = suite.launch(id, "home-hide-ctl").profile(profile.get().toString());
                String dir = AgentHomeIT.homes(id).resolve(control.name()) + "/hide";
                RunResult r = control.probe(Steps.of().add("mkdir", "mkdir", dir).add("chmod", "chmod", dir, "0700")
                        .add("small", "fill-keep", dir + "/small", 4 * MIB).add("wait", "sleep", 1)).run();
                r.assertExit(0);
                assertEquals(4 * MIB, r.assertAllowed("small").longField("bytes"));
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * As {@link #profile}, for ISOLATION: landlock isolation also accepts its open weaknesses (refused otherwise), so
     * that the limits under test are the only difference from the default launch.
     */
    static Path profile(EscapeSuite suite, String name, String limits, String isolation) {
        if (!isolation.equals("landlock")) {
            return profile(suite, name, limits);
        }
        Path file = suite.staging().resolve(name + "-landlock.json");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "{\"extends\": \"strict\", \"accept\": ["
                        + String.join(", ", dev.mcpcontain.policy.LandlockWeaknesses.acceptable().stream()
                                .map(n -> "\"" + n + "\"").toList())
                        + "], \"limits\": {" + limits + "}}\n");
                EscapeSuite.chmod(file, "rw-r--r--");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The stop message's two numbers for data held in deleted files: {total, held}; empty when it is another message. */
    private static java.util.Optional<long[]> heldStop(RunResult r, long limit) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("holds (\\d+) bytes \\((\\d+) of them in deleted files its"
                + " processes still hold open or mapped\\) while running, over its homeSize of " + limit
                + " bytes; server stopped").matcher(r.stderr());
        return m.find() ? java.util.Optional.of(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))})
                : java.util.Optional.empty();
    }

    /** FILES files of 8 MiB written by the probe's COMMAND in the home (after PR_SET_DUMPABLE 0 if UNDUMPABLE), then 3 s of sleep. */
    private static RunResult held(EscapeSuite suite, Identity id, String isolation, Path profile, String command, int files,
            boolean undumpable) {
        Launch launch = suite.launch(id, "home-held").profile(profile.toString()).option("--isolation", isolation);
        String home = AgentHomeIT.homes(id).resolve(launch.name()).toString();
        Steps steps = Steps.of();
        if (undumpable) {
            steps.add("undumpable", "undumpable");
        }
        for (int i = 0; i < files; i++) {
            steps.add("f" + i, command, home + "/held-" + i, 8 * MIB);
        }
        return launch.probe(steps.add("wait", "sleep", 3)).run();
    }

    /**
     * Red team, homeSize variant: files unlinked but still held. The walk sees names only, so a server used to write
     * a file, unlink it and keep a descriptor (or a shared mapping, descriptor closed): eight 8 MiB files, each
     * unlinked right after it is written (below the 16 MiB homeSize at every look), kept 64 MiB on the home's disk
     * for as long as it ran. Now every check also counts, once per inode, the files of the home's filesystem with no
     * link left that the run's processes hold (descriptors of every fd table, cwd, executable, mappings). A deleted
     * mapping the supervisor cannot stat (a user's launcher may not read /proc/PID/map_files) counts as over the
     * limit, and so does a process it may not examine (non-dumpable, under a user's launcher). Also held by orphaned
     * grandchildren (found through init). Controls: the same writes under a 128 MiB homeSize run to the end; a 10 MiB
     * temp file counted by its name and then unlinked while in use is counted once; a small unlinked temp file and
     * the deleted-looking mappings every runtime makes (memfd, shared anonymous, SysV: not on the home's filesystem)
     * do not stop the server. Both isolations: the supervisor sees the home through its own mount, never the
     * server's.
     */
    @TestFactory
    Stream<DynamicNode> homeSizeUnlinkedFilesHeldOpen() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().flatMap(id -> Stream.of("full", "landlock").map(isolation -> {
            Lazy<Path> tight = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\"", isolation));
            Lazy<Path> roomy = Lazy.of(() -> profile(suite, "home-128m", "\"homeSize\": \"128M\", \"fileSize\": \"1G\"", isolation));
            Lazy<RunResult> open = Lazy.of(() -> held(suite, id, isolation, tight.get(), "fill-unlinked", 8, false));
            Lazy<RunResult> openControl = Lazy.of(() -> held(suite, id, isolation, roomy.get(), "fill-unlinked", 8, false));
            Lazy<RunResult> mapped = Lazy.of(() -> held(suite, id, isolation, tight.get(), "fill-mapped", 3, false));
            Lazy<RunResult> mappedRoomy = Lazy.of(() -> held(suite, id, isolation, roomy.get(), "fill-mapped", 3, false));
            Lazy<RunResult> orphans = Lazy.of(() -> held(suite, id, isolation, tight.get(), "fill-orphan", 3, false));
            Lazy<RunResult> orphansRoomy = Lazy.of(() -> held(suite, id, isolation, roomy.get(), "fill-orphan", 3, false));
            Lazy<RunResult> undumpable = Lazy.of(() -> held(suite, id, isolation, tight.get(), "fill-unlinked", 3, true));
            Lazy<RunResult> late = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-held-late").profile(tight.get().toString()).option("--isolation", isolation);
                String home = AgentHomeIT.homes(id).resolve(launch.name()).toString();
                return launch.probe(Steps.of().add("temp", "fill-unlinked-late", home + "/temp", 10 * MIB).add("wait", "sleep", 2)).run();
            });
            // Deleted files mapped outside the home but on its filesystem (what a library replaced by an upgrade
            // looks like): not the home's, so not counted, and not "unmeasurable" under a user's launcher either.
            Lazy<Path> elsewhere = Lazy.of(() -> {
                Path work = suite.workDir(id, "home-held-elsewhere-" + isolation);
                EscapeSuite.chmod(work.getParent(), "rwx--x--x");
                EscapeSuite.chmod(work, "rwxr-xr-x");
                return suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
            });
            Lazy<RunResult> outside = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-held-outside").profile(tight.get().toString())
                        .option("--isolation", isolation).grant(elsewhere.get(), "rw");
                Steps steps = Steps.of();
                for (int i = 0; i < 3; i++) {
                    steps.add("f" + i, "fill-mapped", elsewhere.get().resolve("held-" + i), 8 * MIB);
                }
                return launch.probe(steps.add("wait", "sleep", 2)).run();
            });
            Lazy<RunResult> ordinary = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-held-ok").profile(tight.get().toString()).option("--isolation", isolation);
                String home = AgentHomeIT.homes(id).resolve(launch.name()).toString();
                return launch.probe(Steps.of().add("tmp", "fill-unlinked", home + "/small", MIB)
                        .add("ordinary", "held-ordinary", 4 * MIB).add("wait", "sleep", 2)).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, isolation + ": eight 8 MiB files unlinked after writing, descriptors held: stopped (137), the held bytes named", () -> {
                RunResult r = open.get();
                r.assertExit(137);
                assertEquals(8 * MIB, r.assertAllowed("f0").longField("bytes"));
                assertEquals(8 * MIB, r.assertAllowed("f1").longField("bytes"));
                assertTrue(r.find("wait").isEmpty(), () -> "not stopped while it held them\n" + r);
                long[] n = heldStop(r, 16 * MIB).orElseThrow(() -> new AssertionError("no held-bytes stop message\n" + r));
                // linked at any look: at most the file being written (8 MiB); the rest can only be the held ones
                assertTrue(n[0] > 16 * MIB && n[1] >= 8 * MIB, () -> n[0] + " / " + n[1] + "\n" + r);
            }));
            tests.add(Named.test(id, isolation + ": control: the same eight held files under a 128 MiB homeSize run to the end", () -> {
                RunResult r = openControl.get();
                r.assertExit(0);
                for (int i = 0; i < 8; i++) {
                    assertEquals(8 * MIB, r.assertAllowed("f" + i).longField("bytes"));
                }
                r.assertAllowed("wait");
            }));
            tests.add(Named.test(id, isolation + ": three 8 MiB files unlinked, mapped shared, descriptors closed: stopped (137)", () -> {
                RunResult r = mapped.get();
                r.assertExit(137);
                assertEquals(8 * MIB, r.assertAllowed("f0").longField("bytes"));
                assertTrue(r.find("wait").isEmpty(), () -> "not stopped while it held them\n" + r);
                if (id.root()) {
                    // root's supervisor stats /proc/PID/map_files: the bytes are counted
                    long[] n = heldStop(r, 16 * MIB).orElseThrow(() -> new AssertionError("no held-bytes stop message\n" + r));
                    assertTrue(n[0] > 16 * MIB && n[1] >= 8 * MIB, () -> n[0] + " / " + n[1] + "\n" + r);
                } else {
                    // a user's may not: the mapping it cannot measure counts as over the limit, and the line says why
                    assertTrue(r.stderr().contains("has a deleted file still mapped by the server") && r.stderr().contains(
                            "/held-") && r.stderr().contains(" (deleted), inode ") && r.stderr().contains("needs CAP_CHECKPOINT_RESTORE") && r.stderr().contains(
                            "it counts as over its homeSize (server stopped; keep a descriptor open"), r::toString);
                }
            }));
            tests.add(Named.test(id, isolation + (id.root() ? ": control: the same three mappings under a 128 MiB homeSize run to the end"
                    : ": the same three mappings under a 128 MiB homeSize: still stopped, unmeasurable is over"), () -> {
                RunResult r = mappedRoomy.get();
                if (id.root()) {
                    r.assertExit(0);
                    for (int i = 0; i < 3; i++) {
                        assertEquals(8 * MIB, r.assertAllowed("f" + i).longField("bytes"));
                    }
                    r.assertAllowed("wait");
                } else {
                    r.assertExit(137);
                    assertTrue(r.stderr().contains("has a deleted file still mapped by the server"), r::toString);
                }
            }));
            tests.add(Named.test(id, isolation + ": control: three 8 MiB deleted files mapped in a grant on the home's filesystem (not the home) run to the end", () -> {
                RunResult r = outside.get();
                r.assertExit(0);
                for (int i = 0; i < 3; i++) {
                    assertEquals(8 * MIB, r.assertAllowed("f" + i).longField("bytes"));
                }
                r.assertAllowed("wait");
                assertEquals(Files.getAttribute(elsewhere.get(), "unix:dev"),
                        Files.getAttribute(AgentHomeIT.homes(id), "unix:dev"), "the grant must share the home's filesystem");
            }));
            tests.add(Named.test(id, isolation + ": three 8 MiB files held by orphaned grandchildren (re-parented to init): stopped (137)", () -> {
                RunResult r = orphans.get();
                r.assertExit(137);
                assertEquals(8 * MIB, r.assertAllowed("f0").longField("bytes"));
                assertTrue(r.find("wait").isEmpty(), () -> "not stopped while they held them\n" + r);
                long[] n = heldStop(r, 16 * MIB).orElseThrow(() -> new AssertionError("no held-bytes stop message\n" + r));
                assertTrue(n[0] > 16 * MIB && n[1] >= 8 * MIB, () -> n[0] + " / " + n[1] + "\n" + r);
            }));
            tests.add(Named.test(id, isolation + ": control: the same orphans under a 128 MiB homeSize run to the end", () -> {
                RunResult r = orphansRoomy.get();
                r.assertExit(0);
                for (int i = 0; i < 3; i++) {
                    assertEquals(8 * MIB, r.assertAllowed("f" + i).longField("bytes"));
                }
                r.assertAllowed("wait");
            }));
            tests.add(Named.test(id, isolation + ": a server that made itself non-dumpable and holds three 8 MiB unlinked files: stopped (137)", () -> {
                RunResult r = undumpable.get();
                r.assertExit(137);
                r.assertAllowed("undumpable");
                assertEquals(8 * MIB, r.assertAllowed("f0").longField("bytes"));
                assertTrue(r.find("wait").isEmpty(), () -> "not stopped while it held them\n" + r);
                if (id.root()) {
                    // root's supervisor reads any process's /proc: the bytes are counted
                    assertTrue(heldStop(r, 16 * MIB).isPresent(), r::toString);
                } else {
                    // /proc/PID/fd of a non-dumpable process is root's: a user's supervisor may not look, which counts as over
                    assertTrue(r.stderr().contains("cannot be measured: the launcher may not read the descriptors of the server's process")
                            && r.stderr().contains("it counts as over its homeSize (server stopped; launch as root"), r::toString);
                }
            }));
            tests.add(Named.test(id, isolation + ": control: a 10 MiB temp file, counted by its name, then unlinked while in use: counted once, keeps running under 16 MiB", () -> {
                RunResult r = late.get();
                r.assertExit(0);
                assertEquals(10 * MIB, r.assertAllowed("temp").longField("bytes"));
                r.assertAllowed("wait");
            }));
            tests.add(Named.test(id, isolation + ": control: a 1 MiB unlinked temp file held open and memfd, shared anonymous and SysV mappings keep running", () -> {
                RunResult r = ordinary.get();
                r.assertExit(0);
                assertEquals(MIB, r.assertAllowed("tmp").longField("bytes"));
                assertTrue(r.assertAllowed("ordinary").detail().contains("memfd=ok shared-anonymous=ok"), r::toString);
                r.assertAllowed("wait");
            }));
            return Named.group(id, tests);
        }));
    }

    /**
     * Red team, homeSize variant that stays open: a descriptor in flight. The server writes a file, unlinks it, sends
     * the descriptor on a socketpair nobody reads (SCM_RIGHTS) and closes its own: the only reference is in the
     * socket's queue, which no /proc file shows, so no look counts the blocks. Three 8 MiB files stay on the home's
     * disk past the 16 MiB homeSize for as long as the server runs (freed at exit). Bounded only by what the kernel
     * lets a user keep in flight (RLIMIT_NOFILE descriptors, i.e. openFiles) times fileSize. Open; README, Known limits.
     */
    @org.junit.jupiter.api.Disabled("open: descriptors in flight in a unix socket (SCM_RIGHTS) are in no process's /proc;"
            + " the blocks of unlinked files sent that way are not counted against homeSize while the server runs")
    @TestFactory
    Stream<DynamicNode> homeSizeDescriptorsInFlight() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> tight = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\""));
            return Named.test(id, "three 8 MiB unlinked files whose descriptors are in flight: stopped (137)", () -> {
                RunResult r = held(suite, id, "full", tight.get(), "fill-inflight", 3, false);
                r.assertExit(137);
            });
        });
    }

    /**
     * Red team, per-user counter variant: epoll watches. fs.epoll.max_user_watches counts per host uid (the kernel's
     * user_struct, not a user-namespace counter), and each watch costs about 200 bytes of kernel memory, so the
     * budget (4% of RAM) fits in the default profile's memory limit. Found: a server of a user launcher takes all
     * of it and every other process of the user (desktop, browsers, Node) gets ENOSPC from epoll_ctl; a root
     * launcher's server starves the other servers (shared mcp-agent uid). No sysctl bounds it per namespace: the fix
     * needs a host uid of its own per server (a subordinate range). Open; the test shows it.
     */
    // Note for whoever enables it: while it runs, the uid's other processes (other tests too) lose epoll.
    @org.junit.jupiter.api.Disabled("open: epoll watches are a per-host-uid counter with no per-namespace limit; a server"
            + " exhausts fs.epoll.max_user_watches for its uid (needs a uid of its own per server)")
    @TestFactory
    Stream<DynamicNode> epollWatchBomb() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "control: the same uid adds a watch when no server holds any", () ->
                    suite.control(id, Steps.of().add("one", "epoll-one")).assertAllowed("one")));
            tests.add(Named.test(id, "default: while a server holds every epoll watch it can, the uid's other processes still add one", () -> {
                try (Running bomb = suite.launch(id, "epoll-bomb").profile("default").timeout(java.time.Duration.ofMinutes(5))
                        .probe(Steps.of().add("bomb", "epoll-bomb", 4, 40_000_000L).add("hold", "sleep", 300)).start()) {
                    bomb.awaitLine("READY"::equals, java.time.Duration.ofMinutes(4), "READY after the bomb");
                    RunResult outside = suite.control(id, Steps.of().add("one", "epoll-one"));
                    outside.assertAllowed("one");
                }
            }));
            return Named.group(id, tests);
        });
    }

    /**
     * Red team, class 6 variant: SysV semaphores and message queues. They are kernel memory that RLIMIT_DATA does not
     * count, and the server's own IPC namespace started with the kernel's defaults (1,024,000,000 semaphores of 64
     * bytes, 32,000 queues): a user launcher's server (no memory cgroup) held 800 MB of semaphore arrays and 500 MB of
     * messages under strict's 512 MiB. The namespace's limits now come from the memory limit (read from the dry run):
     * semget and msgget fail with ENOSPC there. Control: the same uid in an IPC namespace of its own with the
     * kernel's defaults (as the server's was) goes past them.
     */
    @TestFactory
    Stream<DynamicNode> sysvIpcBomb() {
        EscapeSuite suite = EscapeSuite.get();
        java.util.regex.Pattern shape = java.util.regex.Pattern.compile(
                "SysV IPC in the server's own IPC namespace: shared memory at most (\\d+) bytes, (\\d+) semaphores in at most"
                + " (\\d+) sets, (\\d+) message queues");
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("strict", "default")) {
                Lazy<long[]> plan = Lazy.of(() -> {
                    java.util.regex.Matcher m = shape.matcher(suite.launch(id, "sysv-plan").profile(profile).probe(Steps.of())
                            .dryRun().text());
                    assertTrue(m.find(), "the dry run names no SysV IPC limits");
                    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4))};
                });
                tests.add(Named.test(id, profile + ": message queues filled until msgget fails: ENOSPC at the plan's count", () -> {
                    long queues = plan.get()[3];
                    assertTrue(queues < 32_000 && queues * 16_384 * 64 <= plan.get()[0], () -> queues + " queues");
                    RunResult r = suite.launch(id, "sysv-msg").profile(profile)
                            .probe(Steps.of().add("raise", "append", "/proc/sys/kernel/msgmni")
                                    .add("msg", "sysv-bomb", "msg", 2 * queues)).run();
                    // A user launcher's server is uid 0 of the namespace that owns its IPC namespace, as far as the
                    // kernel's check for these sysctls goes: the read-only /proc/sys (and Landlock) stop it (EROFS).
                    // A root launcher's agent fails that check first (EACCES): the owner is the host's root.
                    r.assertDenied("raise", id.root() ? "EACCES" : "EROFS");
                    assertEquals(queues, r.assertDenied("msg", "ENOSPC").longField("queues"), r::toString);
                }));
                if (profile.equals("strict")) {
                    // default's 2 GiB allows 4 million semaphores: its control would hold 300 MB, so strict only
                    tests.add(Named.test(id, profile + ": semaphore sets of 32,000 until semget fails: ENOSPC at the plan's total", () -> {
                        long sets = plan.get()[1] / 32_000;
                        assertTrue(sets > 0 && plan.get()[1] * 64 <= plan.get()[0] / 4, () -> plan.get()[1] + " semaphores");
                        RunResult r = suite.launch(id, "sysv-sem").profile(profile)
                                .probe(Steps.of().add("sem", "sysv-bomb", "sem", 2 * sets)).run();
                        assertEquals(sets, r.assertDenied("sem", "ENOSPC").longField("sets"), r::toString);
                    }));
                    tests.add(Named.test(id, "control: the same uid in an IPC namespace with the kernel's defaults goes past"
                            + " both", () -> {
                        long sets = plan.get()[1] / 32_000;
                        long queues = plan.get()[3];
                        RunResult r = suite.control(id, Steps.of().add("sem", "sysv-bomb", "sem", 2 * sets, "private"));
                        assertEquals(2 * sets, r.assertAllowed("sem").longField("sets"), r::toString);
                        r = suite.control(id, Steps.of().add("msg", "sysv-bomb", "msg", 2 * queues, "private"));
                        assertEquals(2 * queues, r.assertAllowed("msg").longField("queues"), r::toString);
                    }));
                }
            }
            return Named.group(id, tests);
        });
    }

    /**
     * Red team, homeSize variant: preallocation. The home's size is watched every 250 ms, which bounds what a server
     * writes past homeSize; fallocate allocates without writing: a server gave 40 files of 60 MB to its home in 3 ms
     * (2.4 GB under a 256 MiB homeSize), and the same loop fills the host's disk before the first look. Now fallocate
     * that allocates, and the ioctls that reach it (FS_IOC_RESVSP64 here), fail with EOPNOTSUPP in every mode.
     * Controls: inside, posix_fallocate still works (glibc writes the blocks instead) and punching a hole (which
     * frees) is allowed; outside, the same uid preallocates with both.
     */
    @TestFactory
    Stream<DynamicNode> homeSizePreallocation() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().flatMap(id -> Stream.of("full", "landlock").map(isolation -> {
            Lazy<Path> tight = Lazy.of(() -> profile(suite, "home-16m", "\"homeSize\": \"16M\", \"fileSize\": \"1G\"", isolation));
            Lazy<RunResult> run = Lazy.of(() -> {
                Launch launch = suite.launch(id, "home-prealloc").profile(tight.get().toString()).option("--isolation", isolation);
                String home = AgentHomeIT.homes(id).resolve(launch.name()).toString();
                return launch.probe(Steps.of().add("fallocate", "prealloc", "fallocate", home + "/fa", 40, 64 * MIB)
                        .add("resvsp", "prealloc", "resvsp", home + "/rs", 40, 64 * MIB)
                        .add("posix", "prealloc", "posix", home + "/px", 1, 4 * MIB)
                        .add("punch", "prealloc", "punch", home + "/pu", 1, 4 * MIB)
                        .add("wait", "sleep", 1)).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, isolation + ": 40 x 64 MiB by fallocate in a home of 16 MiB: EOPNOTSUPP, nothing allocated", () -> {
                RunResult r = run.get();
                assertEquals(0, r.assertDenied("fallocate", "EOPNOTSUPP").longField("files"), r::toString);
            }));
            tests.add(Named.test(id, isolation + ": the same by ioctl FS_IOC_RESVSP64: EOPNOTSUPP", () -> {
                RunResult r = run.get();
                assertEquals(0, r.assertDenied("resvsp", "EOPNOTSUPP").longField("files"), r::toString);
            }));
            tests.add(Named.test(id, isolation + ": control: posix_fallocate of 4 MiB (written instead) and a punched hole work, the server runs to the end", () -> {
                RunResult r = run.get();
                r.assertExit(0);
                assertEquals(1, r.assertAllowed("posix").longField("files"), r::toString);
                assertEquals(1, r.assertAllowed("punch").longField("files"), r::toString);
                r.assertAllowed("wait");
            }));
            tests.add(Named.test(id, isolation + ": control: the same uid outside preallocates with fallocate and FS_IOC_RESVSP64", () -> {
                Path dir = suite.workDir(id, "prealloc-" + isolation);
                EscapeSuite.chmod(dir.getParent(), "rwx--x--x");
                EscapeSuite.chmod(dir, "rwxrwxrwx");
                RunResult r = suite.control(id, Steps.of().add("fallocate", "prealloc", "fallocate", dir.resolve("fa"), 2, MIB)
                        .add("resvsp", "prealloc", "resvsp", dir.resolve("rs"), 2, MIB));
                assertEquals(2, r.assertAllowed("fallocate").longField("files"), r::toString);
                assertEquals(2, r.assertAllowed("resvsp").longField("files"), r::toString);
            }));
            return Named.group(id, tests);
        }));
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

    /**
     * A root launcher's server is in a user namespace of its own, and the kernel charges each per-user counter at the
     * host's level to that namespace's owner. The server made it while still root, so its inotify instances were
     * charged to root on the host: four root-launched servers at 32 each used up root's 128, and every root daemon's
     * {@code inotify_init} then failed with EMFILE (measured: root's count fell from 128 to 96 while one server held
     * its 32, the agent's stayed 128). Now the namespace is the agent's. The attack: a server holds every instance it
     * can; meanwhile the agent account outside gets that many fewer, so the charge is the agent's (exactly one uid is
     * charged at the host's level), never root's. Control: with no server holding any, the agent outside gets more.
     * (Root's own budget is not counted here: that would exhaust it on the host for a moment.)
     */
    @TestFactory
    Stream<DynamicNode> inotifyChargedToTheAgentNotRoot() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().filter(Identity::root).flatMap(id -> Stream.of("full", "landlock").map(isolation -> {
            Lazy<Object[]> held = Lazy.of(() -> {
                try (Running running = suite.launch(id, "inotify-hold").isolation(isolation)
                        .probe(Steps.of().add("bomb", "inotify-bomb", 100_000, 8000)).start()) {
                    String line = running.awaitLine(l -> l.startsWith("bomb "), Duration.ofSeconds(60), "the bomb's result");
                    RunResult outside = suite.control(id, Steps.of().add("bomb", "inotify-bomb", 100_000));
                    RunResult end = running.await(Duration.ofSeconds(60));
                    return new Object[] {ProbeLine.parse(line).orElseThrow(), outside, end};
                }
            });
            Lazy<RunResult> baseline = Lazy.of(() -> suite.control(id, Steps.of().add("bomb", "inotify-bomb", 100_000)));
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, isolation + ": a server's inotify instances are charged to the agent on the host, not to root", () -> {
                ProbeLine line = (ProbeLine) held.get()[0];
                RunResult end = (RunResult) held.get()[2];
                assertEquals("errno=EMFILE", line.outcome(), () -> line.raw() + "\n" + end);
                long inside = line.longField("instances");
                assertTrue(inside > 0, () -> line.raw() + "\n" + end);
                long during = ((RunResult) held.get()[1]).line("bomb").longField("instances");
                long before = baseline.get().line("bomb").longField("instances");
                assertTrue(before - during >= inside, () -> "the agent outside got " + during + " instances while the server"
                        + " held " + inside + ", " + before + " with none held: the server's were charged to another uid"
                        + " (root?)\n" + held.get()[1]);
            }));
            tests.add(Named.test(id, isolation + ": control: with no server holding any, the agent outside gets more", () -> {
                long during = ((RunResult) held.get()[1]).line("bomb").longField("instances");
                long before = baseline.get().line("bomb").longField("instances");
                assertTrue(before > during, () -> before + " vs " + during + "\n" + baseline.get());
            }));
            return Named.group(id, tests);
        }));
    }
}
