package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, class 4: a grant binds exactly the object the user named. A server with a writable grant replaces a
 * sub-folder with a symbolic link; a later launch granting that sub-folder is refused (control: with ',follow' it
 * binds the link's target). The object checked at plan time is the one mounted: the helper opens it without
 * following links, compares device and inode with the plan, and mounts from that descriptor, so a swap between the
 * check and the mount is refused (a deterministic swap through a helper wrapper, and a background swap loop).
 */
class GrantSymlinkIT {

    private record Layout(Path writable, Path sub, Path target, String real, String secret) {

        static Layout create(EscapeSuite suite, Identity id, String purpose) {
            Path work = suite.workDir(id, purpose);
            Path writable = suite.ownedDir(id, work.resolve("project"), "rwxr-xr-x");
            Path sub = suite.ownedDir(id, writable.resolve("sub"), "rwxr-xr-x");
            String real = "real-" + EscapeSuite.randomHex(4);
            String secret = "target-" + EscapeSuite.randomHex(4);
            suite.ownedFile(id, sub.resolve("marker"), real + "\n");
            // Readable by the launching user: only the containment, not permissions, can keep it out.
            Path target = suite.ownedDir(id, work.resolve("elsewhere"), "rwxr-xr-x");
            suite.ownedFile(id, target.resolve("marker"), secret + "\n");
            return new Layout(writable, sub, target, real, secret);
        }
    }

    @TestFactory
    Stream<DynamicNode> symlinkedGrants() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Layout> layout = Lazy.of(() -> Layout.create(suite, id, "grant-link"));
            Lazy<RunResult> serverA = Lazy.of(() -> {
                Layout l = layout.get();
                return suite.launch(id, "grant-link-a").grant(l.writable(), "rw").probe(Steps.of()
                        .add("move-sub", "rename", l.sub(), l.writable().resolve("sub.old"))
                        .add("plant-link", "symlink", l.target(), l.sub())).run();
            });
            Lazy<RunResult> serverB = Lazy.of(() -> {
                serverA.get();
                return suite.launch(id, "grant-link-b").grant(layout.get().sub(), "ro")
                        .probe(Steps.of().add("marker", "read", layout.get().sub().resolve("marker"))).run();
            });
            Lazy<RunResult> followed = Lazy.of(() -> {
                serverA.get();
                // Bound where the link leads (the grant's real path), as before links were refused.
                return suite.launch(id, "grant-link-follow").grant(layout.get().sub(), "ro,follow")
                        .probe(Steps.of().add("marker", "read", layout.get().target().resolve("marker"))).run();
            });

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "server A, with a writable grant, replaces a sub-folder with a symlink", () -> {
                serverA.get().assertAllowed("move-sub");
                serverA.get().assertAllowed("plant-link");
                assertTrue(Files.isSymbolicLink(layout.get().sub()), serverA.get()::toString);
            }));
            tests.add(Named.test(id, "a later launch granting that sub-folder is refused (125, one line naming the link)", () -> {
                RunResult r = serverB.get().assertExit(125);
                assertEquals(1, r.stderr().lines().count(), r::toString);
                assertTrue(r.stderr().contains(layout.get().sub() + " is a symbolic link") && r.stderr().contains(",follow"),
                        r::toString);
                assertFalse(r.stdout().contains(layout.get().secret()), r::toString);
            }));
            tests.add(Named.test(id, "control: with ',follow' the same grant binds the link's target", () -> {
                ProbeLine line = followed.get().assertAllowed("marker");
                assertEquals(layout.get().secret(), line.field("text").orElse(""), followed.get()::toString);
            }));

            tests.add(Named.test(id, "swapped for another folder after the check: the helper refuses (device/inode)", () -> {
                Layout l = Layout.create(suite, id, "grant-swap-dir");
                Path wrapper = swapWrapper(suite, "mv " + quote(l.sub()) + " " + quote(l.writable().resolve("checked"))
                        + " && mv " + quote(l.target()) + " " + quote(l.sub()));
                RunResult r = suite.launch(id, "grant-swap-dir").env("MCP_CONTAIN_HELPER", wrapper.toString())
                        .grant(l.sub(), "ro").probe(Steps.of().add("marker", "read", l.sub().resolve("marker"))).run();
                r.assertExit(125);
                assertTrue(r.stderr().contains("refusing to bind " + l.sub() + ": it is not the object checked at launch"),
                        r::toString);
                assertFalse(r.stdout().contains(l.secret()), r::toString);
            }));
            tests.add(Named.test(id, "swapped for a symlink after the check: the helper refuses (no link followed)", () -> {
                Layout l = Layout.create(suite, id, "grant-swap-link");
                Path wrapper = swapWrapper(suite, "mv " + quote(l.sub()) + " " + quote(l.writable().resolve("checked"))
                        + " && ln -s " + quote(l.target()) + " " + quote(l.sub()));
                RunResult r = suite.launch(id, "grant-swap-link").env("MCP_CONTAIN_HELPER", wrapper.toString())
                        .grant(l.sub(), "ro").probe(Steps.of().add("marker", "read", l.sub().resolve("marker"))).run();
                r.assertExit(125);
                assertTrue(r.stderr().contains("refusing to bind " + l.sub() + ": a component is a symbolic link now"),
                        r::toString);
                assertFalse(r.stdout().contains(l.secret()), r::toString);
            }));
            tests.add(Named.test(id, "control: the same wrapper without the swap launches and reads the folder", () -> {
                Layout l = Layout.create(suite, id, "grant-swap-none");
                Path wrapper = swapWrapper(suite, "true");
                RunResult r = suite.launch(id, "grant-swap-none").env("MCP_CONTAIN_HELPER", wrapper.toString())
                        .grant(l.sub(), "ro").probe(Steps.of().add("marker", "read", l.sub().resolve("marker"))).run();
                assertEquals(l.real(), r.assertAllowed("marker").field("text").orElse(""), r::toString);
            }));

            tests.add(Named.test(id, "a loop swapping the folder and a symlink during repeated launches never mounts the target", () -> {
                Layout l = Layout.create(suite, id, "grant-race");
                Path parked = l.writable().resolve("parked");
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger swaps = new AtomicInteger();
                Thread swapper = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            Files.move(l.sub(), parked, StandardCopyOption.ATOMIC_MOVE);
                            Files.createSymbolicLink(l.sub(), l.target());
                            Thread.sleep(3);
                            Files.delete(l.sub());
                            Files.move(parked, l.sub(), StandardCopyOption.ATOMIC_MOVE);
                            swaps.incrementAndGet();
                            // Mostly the real folder, so launches pass the launcher's check and race the helper.
                            Thread.sleep(20);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "grant-swapper");
                swapper.start();
                int mounted = 0;
                int refused = 0;
                try {
                    for (int i = 0; i < 8; i++) {
                        RunResult r = suite.launch(id, "grant-race").grant(l.sub(), "ro")
                                .probe(Steps.of().add("marker", "read", l.sub().resolve("marker"))).run();
                        assertFalse(r.stdout().contains(l.secret()) || r.stderr().contains(l.secret()),
                                () -> "the symlink's target was mounted\n" + r);
                        if (r.exitCode() == 125) {
                            refused++;
                            // Whichever state the launcher or the helper met (link, absent, replaced), named plainly.
                            assertTrue(r.stderr().contains(l.sub().toString()), r::toString);
                        } else {
                            mounted++;
                            assertEquals(l.real(), r.assertAllowed("marker").field("text").orElse(""), r::toString);
                        }
                    }
                } finally {
                    stop.set(true);
                    swapper.join();
                }
                assertTrue(swaps.get() > 0, "the swap loop ran");
                assertEquals(8, mounted + refused);
                System.err.println("swap race as " + id + ": " + swaps.get() + " swaps, " + mounted + " launches mounted"
                        + " the real folder, " + refused + " refused, none the target");
            }));
            return Named.group(id, tests);
        });
    }

    private static String quote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** A helper wrapper that runs SWAP (as the launcher) after the JVM checked the grant, then execs the helper. */
    private static Path swapWrapper(EscapeSuite suite, String swap) {
        try {
            Path wrapper = suite.staging().resolve("swap-" + EscapeSuite.randomHex(4) + "-helper");
            Files.writeString(wrapper, "#!/bin/sh\n" + swap + " || exit 99\nexec " + quote(suite.helper()) + " \"$@\"\n");
            EscapeSuite.chmod(wrapper, "rwxr-xr-x");
            return wrapper;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
