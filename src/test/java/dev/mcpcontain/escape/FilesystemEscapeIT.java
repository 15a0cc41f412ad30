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
 * Files: nothing outside the grants is visible, read-only grants stay read-only whatever the call, and links or
 * renames cannot carry a file across a grant's edge. Each attempt's positive control is the same call on a
 * writable grant inside, or the same file granted, or the host without containment.
 */
class FilesystemEscapeIT {

    /** The layout one identity's run works on, created on the host before the launch. */
    private record Layout(Path work, Path outside, Path rw, Path ro, String secret, String roText) {

        static Layout create(EscapeSuite suite, Identity id) {
            Path work = suite.workDir(id, "fs");
            String secret = "outside-secret-" + EscapeSuite.randomHex(6);
            String roText = "read-only-" + EscapeSuite.randomHex(6);
            Path outside = suite.ownedDir(id, work.resolve("outside"), "rwxr-xr-x");
            suite.ownedFile(id, outside.resolve("secret.txt"), secret + "\n");
            Path rw = suite.ownedDir(id, work.resolve("granted-rw"), "rwxr-xr-x");
            suite.ownedFile(id, rw.resolve("file.txt"), "writable\n");
            suite.ownedFile(id, rw.resolve("victim.txt"), "writable\n");
            Path ro = suite.ownedDir(id, work.resolve("granted-ro"), "rwxr-xr-x");
            suite.ownedFile(id, ro.resolve("file.txt"), roText + "\n");
            try {
                // Planted by the host before the launch: a link in a writable grant that points outside.
                Path link = Files.createSymbolicLink(rw.resolve("planted-link"), outside.resolve("secret.txt"));
                EscapeSuite.chown(link, id.user());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Layout(work, outside, rw, ro, secret, roText);
        }
    }

    @TestFactory
    Stream<DynamicNode> grants() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Layout> layout = Lazy.of(() -> Layout.create(suite, id));
            Lazy<RunResult> contained = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.launch(id, "grants").grant(l.rw(), "rw").grant(l.ro(), "ro").probe(grantSteps(l)).run();
            });
            Lazy<RunResult> outsideGranted = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.launch(id, "grants-control").grant(l.outside(), "ro").probe(Steps.of()
                        .add("read-outside", "read", l.outside().resolve("secret.txt"))
                        .add("write-outside-ro", "write", l.outside().resolve("new.txt"))).run();
            });
            Lazy<RunResult> hostControl = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.controlAsLauncher(id, Steps.of()
                        .add("read-outside", "read", l.outside().resolve("secret.txt"))
                        .add("planted-link", "read", l.rw().resolve("planted-link")));
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(grantSteps(layout.get()).labels())));
            tests.add(Named.test(id, "reading a file outside the grants: ENOENT (not mounted)", () ->
                    contained.get().assertDenied("read-outside", "ENOENT")));
            tests.add(Named.test(id, "writing a new file outside the grants: ENOENT", () -> {
                contained.get().assertDenied("write-outside", "ENOENT");
                assertFalse(Files.exists(layout.get().outside().resolve("new.txt")), "nothing appeared outside on the host");
            }));
            tests.add(Named.test(id, "the grants' parent shows only the grants", () ->
                    contained.get().assertValue("ls-work", "granted-ro,granted-rw")));
            tests.add(Named.test(id, "'..' out of a grant: ENOENT", () -> contained.get().assertDenied("dotdot", "ENOENT")));
            tests.add(Named.test(id, "control: the same file, granted read-only, is readable (and EROFS to write)", () -> {
                RunResult r = outsideGranted.get();
                assertEquals("text=" + layout.get().secret(), "text=" + r.assertAllowed("read-outside").field("text").orElse(""), r::toString);
                r.assertDenied("write-outside-ro", "EROFS");
            }));
            tests.add(Named.test(id, "control: the launching user reads it on the host", () -> {
                RunResult r = hostControl.get();
                r.assertAllowed("read-outside");
                r.assertAllowed("planted-link");
            }));

            for (String op : List.of("write", "create", "append", "truncate", "chmod", "rename", "unlink", "mkdir", "symlink")) {
                tests.add(Named.test(id, "read-only grant, " + op + ": EROFS; the same on the writable grant works", () -> {
                    contained.get().assertDenied(op + "-ro", "EROFS");
                    contained.get().assertAllowed(op + "-rw");
                }));
            }
            tests.add(Named.test(id, "read-only grant: reading works and the file is unchanged on the host", () -> {
                contained.get().assertAllowed("read-ro");
                assertEquals(layout.get().roText() + "\n", EscapeSuite.read(layout.get().ro().resolve("file.txt")));
                assertEquals(List.of("file.txt"), list(layout.get().ro()));
            }));
            tests.add(Named.test(id, "writable grant: the server's writes reach the host", () -> {
                contained.get().assertAllowed("write-rw");
                assertTrue(Files.exists(layout.get().rw().resolve("created-rw.txt")), "created inside, visible on the host");
            }));

            tests.add(Named.test(id, "symlink planted by the host in a writable grant, pointing outside: ENOENT", () ->
                    contained.get().assertDenied("planted-link", "ENOENT")));
            tests.add(Named.test(id, "symlink made inside, pointing outside: created, but reading through it: ENOENT", () -> {
                contained.get().assertAllowed("make-link");
                contained.get().assertDenied("read-made-link", "ENOENT");
            }));
            tests.add(Named.test(id, "hardlink out of a writable grant into /tmp: EXDEV (same in-grant link works)", () -> {
                contained.get().assertDenied("hardlink-out", "EXDEV");
                contained.get().assertAllowed("hardlink-in");
            }));
            tests.add(Named.test(id, "rename out of a writable grant into /tmp: EXDEV (same in-grant rename works)", () -> {
                contained.get().assertDenied("rename-out", "EXDEV");
                contained.get().assertAllowed("rename-rw");
            }));
            tests.add(Named.test(id, "hardlink and rename from the read-only grant into the writable one: EXDEV", () -> {
                contained.get().assertDenied("hardlink-ro-to-rw", "EXDEV");
                contained.get().assertDenied("rename-ro-to-rw", "EXDEV");
            }));
            return Named.group(id, tests);
        });
    }

    private static Steps grantSteps(Layout l) {
        Path secret = l.outside().resolve("secret.txt");
        Steps s = Steps.of()
                .add("read-outside", "read", secret)
                .add("write-outside", "write", l.outside().resolve("new.txt"))
                .add("ls-work", "ls", l.work())
                .add("dotdot", "read", l.rw() + "/../outside/secret.txt")
                .add("read-ro", "read", l.ro().resolve("file.txt"));
        // Each operation on the read-only grant, and the same on the writable one as its positive control.
        for (Path grant : List.of(l.ro(), l.rw())) {
            String suffix = grant.equals(l.ro()) ? "-ro" : "-rw";
            Path file = grant.resolve(grant.equals(l.ro()) ? "file.txt" : "victim.txt");
            s.add("write" + suffix, "write", grant.resolve("created" + suffix + ".txt"))
                    .add("create" + suffix, "create", grant.resolve("exclusive" + suffix + ".txt"))
                    .add("append" + suffix, "append", file)
                    .add("truncate" + suffix, "truncate", file)
                    .add("chmod" + suffix, "chmod", file, "0600")
                    .add("mkdir" + suffix, "mkdir", grant.resolve("dir" + suffix))
                    .add("symlink" + suffix, "symlink", "file.txt", grant.resolve("link" + suffix));
            if (grant.equals(l.ro())) {
                s.add("rename-ro", "rename", file, grant.resolve("renamed.txt"))
                        .add("unlink-ro", "unlink", file);
            } else {
                s.add("rename-rw", "rename", grant.resolve("created-rw.txt"), grant.resolve("renamed-rw.txt"))
                        .add("rename-back-rw", "rename", grant.resolve("renamed-rw.txt"), grant.resolve("created-rw.txt"))
                        .add("unlink-rw", "unlink", grant.resolve("exclusive-rw.txt"));
            }
        }
        return s.add("planted-link", "read", l.rw().resolve("planted-link"))
                .add("make-link", "symlink", secret, l.rw().resolve("made-link"))
                .add("read-made-link", "read", l.rw().resolve("made-link"))
                .add("hardlink-out", "link", l.rw().resolve("file.txt"), "/tmp/hardlink")
                .add("hardlink-in", "link", l.rw().resolve("file.txt"), l.rw().resolve("hardlink"))
                .add("rename-out", "rename", l.rw().resolve("file.txt"), "/tmp/moved")
                .add("hardlink-ro-to-rw", "link", l.ro().resolve("file.txt"), l.rw().resolve("from-ro"))
                .add("rename-ro-to-rw", "rename", l.ro().resolve("file.txt"), l.rw().resolve("moved-from-ro"));
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
