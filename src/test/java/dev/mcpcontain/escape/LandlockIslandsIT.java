package dev.mcpcontain.escape;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Landlock isolation has no mounts of its own: the agent home and every writable grant are one filesystem mount
 * when they live on one disk. A hard link from a grant into the home outlived the grant: the next run, granted
 * nothing, read and wrote the user's file through {@code $HOME/keep} (measured, user launcher). A link from the home
 * into a grant, or from one grant into another, kept a file writable where the user no longer granted it. The
 * helper now keeps them apart as full isolation's separate mounts do: a link or rename between two of them is EXDEV,
 * while links and renames within one still work. Full isolation gets EXDEV from its mounts. Root and user launcher,
 * profiles default and strict. Control: the server's uid, unconfined, makes the very same link.
 */
class LandlockIslandsIT {

    private record Setup(Path grant, Path other) {}

    @TestFactory
    Stream<DynamicNode> islands() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("default", "strict")) {
                for (String isolation : List.of("landlock", "full")) {
                    Lazy<Setup> setup = Lazy.of(() -> setUp(suite, id, "islands-" + isolation + "-" + profile));
                    Launch launch = suite.launch(id, "islands-" + isolation + "-" + profile);
                    Path home = AgentHomeIT.homes(id).resolve(launch.name());
                    Lazy<Steps> steps = Lazy.of(() -> attempts(setup.get(), home));
                    Lazy<RunResult> contained = Lazy.of(() -> {
                        Launch l = isolation.equals("landlock")
                                ? launch.profile(HostSocketIT.landlockProfile(suite, id, profile).toString())
                                        .option("--isolation", "landlock")
                                : launch.profile(profile);
                        return l.grant(setup.get().grant(), "rw").grant(setup.get().other(), "rw")
                                .probe(steps.get()).run();
                    });
                    // After the contained run (the home exists then): the same link by the same uid, unconfined.
                    Lazy<RunResult> control = Lazy.of(() -> {
                        contained.get();
                        return suite.control(id, Steps.of()
                                .add("link-grant-home", "link", setup.get().grant().resolve("doc.txt"),
                                        home.resolve("keep-control"))
                                .add("link-home-grant", "link", home.resolve("h"), setup.get().grant().resolve("h-control"))
                                .add("link-grant-grant", "link", setup.get().grant().resolve("doc.txt"),
                                        setup.get().other().resolve("x-control")));
                    });
                    tests.add(Named.test(id, profile + ", " + isolation + " isolation: hard links and renames between"
                            + " the agent home and a writable grant, or two grants: EXDEV; within one: work; control:"
                            + " the server's uid links them unconfined", () -> {
                        RunResult r = contained.get();
                        r.assertProbeCompleted(steps.get().labels());
                        for (String label : List.of("link-grant-home", "link-home-grant", "link-grant-grant",
                                "rename-file-grant-home", "rename-dir-grant-home", "rename-home-grant")) {
                            r.assertDenied(label, "EXDEV");
                        }
                        for (String label : List.of("home-file", "link-within-grant", "rename-within-grant",
                                "rename-within-home")) {
                            r.assertAllowed(label);
                        }
                        assertFalse(Files.exists(home.resolve("keep")), "no link of the user's file in the home");
                        RunResult c = control.get();
                        EscapeSuite.requireThat(!c.line("link-grant-home").outcome().equals("errno=EXDEV"),
                                "the agent homes and the test's grants are on one filesystem (else no link can"
                                        + " cross, contained or not): " + c);
                        for (String label : List.of("link-grant-home", "link-home-grant", "link-grant-grant")) {
                            c.assertAllowed(label);
                        }
                    }));
                }
            }
            return Named.group(id, tests);
        });
    }

    private static Steps attempts(Setup s, Path home) {
        Path grant = s.grant();
        return Steps.of()
                .add("link-grant-home", "link", grant.resolve("doc.txt"), home.resolve("keep"))
                .add("home-file", "write", home.resolve("h"))
                .add("link-home-grant", "link", home.resolve("h"), grant.resolve("h"))
                .add("link-grant-grant", "link", grant.resolve("doc.txt"), s.other().resolve("x"))
                .add("rename-file-grant-home", "rename", grant.resolve("moved.txt"), home.resolve("moved.txt"))
                .add("rename-dir-grant-home", "rename", grant.resolve("sub"), home.resolve("sub"))
                .add("rename-home-grant", "rename", home.resolve("h"), grant.resolve("h2"))
                .add("link-within-grant", "link", grant.resolve("shared.txt"), grant.resolve("sub/doc2"))
                .add("rename-within-grant", "rename", grant.resolve("sub/doc2"), grant.resolve("doc3"))
                .add("home-dir", "mkdir", home.resolve("a"))
                .add("home-file-a", "write", home.resolve("a/f"))
                .add("rename-within-home", "rename", home.resolve("a/f"), home.resolve("f2"));
    }

    private static Setup setUp(EscapeSuite suite, Identity id, String purpose) {
        Path work = suite.workDir(id, purpose);
        // Permissions let the server's uid in everywhere: only the containment may say no.
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
        Path other = suite.ownedDir(id, work.resolve("other"), "rwxrwxrwx");
        suite.ownedDir(id, grant.resolve("sub"), "rwxrwxrwx");
        // Owned by the server's uid: the kernel's protected_hardlinks lets an owner link; only the containment refuses.
        for (Path file : List.of(grant.resolve("doc.txt"), grant.resolve("moved.txt"))) {
            suite.ownedFile(id, file, "the user's text\n");
            EscapeSuite.chown(file, id.serverUser());
        }
        // The launching user's, writable by anyone: linkable by the server in either isolation (a root launcher's
        // full isolation shows it through the idmap as the agent's; a file the agent owns on disk is unmapped there).
        Path shared = suite.ownedFile(id, grant.resolve("shared.txt"), "shared\n");
        EscapeSuite.chmod(shared, "rw-rw-rw-");
        return new Setup(grant, other);
    }
}
