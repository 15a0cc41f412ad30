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
 * Issue 7, class 1: a server must not be able to leave a setuid or setgid file, or a file capability, in a folder
 * it can write, in any isolation mode. Each attempt is made on a real file in a writable grant (full and landlock
 * isolation) or a writable folder (reduced); the positive controls are the same calls without the bits in the
 * same folder, and the very same steps run unconfined by the server's uid (and, for file capabilities, by root,
 * the only uid the kernel lets set them). After each run the host side is checked: no file with S_ISUID/S_ISGID.
 */
class SetidPlantingIT {

    private record Mode(String key, String profile, List<String> options, boolean grant) {}

    private static final List<Mode> MODES = List.of(
            new Mode("full/strict", "strict", List.of(), true),
            new Mode("full/default", "default", List.of(), true),
            new Mode("landlock", "strict", List.of("--isolation", "landlock"), true),
            new Mode("reduced", "strict", List.of("--isolation", "reduced"), false));

    /** Label → expected contained outcome (errno name, or ALLOWED). */
    private static final List<String[]> SETID_DENIED = List.of(
            new String[] {"chmod-4755", "EPERM"}, new String[] {"chmod-2755", "EPERM"},
            new String[] {"chmod-6755", "EPERM"}, new String[] {"fchmod-4755", "EPERM"},
            new String[] {"fchmod-2755", "EPERM"}, new String[] {"fchmodat2-4755", "EPERM"},
            new String[] {"create-4755", "EPERM"}, new String[] {"create-2755", "EPERM"},
            new String[] {"tmpfile-4755", "EPERM"}, new String[] {"mkdir-2755", "EPERM"},
            new String[] {"mknod-4755", "EPERM"}, new String[] {"openat2-4755", "ENOSYS"},
            new String[] {"cap-setxattr", "EOPNOTSUPP"}, new String[] {"cap-lsetxattr", "EOPNOTSUPP"},
            new String[] {"cap-fsetxattr", "EOPNOTSUPP"}, new String[] {"cap-setxattrat", "EOPNOTSUPP"},
            new String[] {"user-xattr", "EOPNOTSUPP"});

    private static boolean x86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    static Steps steps(Path dir) {
        Path plain = dir.resolve("plain");
        Steps s = Steps.of()
                .add("create-0644", "create-mode", plain, "0644")
                .add("fchmod-0755", "fchmod", plain, "0755")
                .add("chmod-4755", "chmod-mode", plain, "04755")
                .add("chmod-2755", "chmod-mode", plain, "02755")
                .add("chmod-6755", "chmod-mode", plain, "06755")
                .add("fchmod-4755", "fchmod", plain, "04755")
                .add("fchmod-2755", "fchmod", plain, "02755")
                .add("fchmodat2-4755", "fchmodat2", plain, "04755")
                .add("create-4755", "create-mode", dir.resolve("created-4755"), "04755")
                .add("create-2755", "create-mode", dir.resolve("created-2755"), "02755")
                .add("tmpfile-4755", "tmpfile-mode", dir, "tmpfile-4755", "04755")
                .add("mkdir-2755", "mkdir-mode", dir.resolve("dir-2755"), "02755")
                .add("mkdir-0755", "mkdir-mode", dir.resolve("dir-0755"), "0755")
                .add("mknod-4755", "mknod-mode", dir.resolve("node-4755"), "04755")
                .add("mknod-0644", "mknod-mode", dir.resolve("node-0644"), "0644")
                .add("openat2-4755", "openat2", dir.resolve("openat2-4755"), "04755")
                .add("cap-setxattr", "setxattr", plain, "security.capability", "cap")
                .add("cap-lsetxattr", "lsetxattr", plain, "security.capability", "cap")
                .add("cap-fsetxattr", "fsetxattr", plain, "security.capability", "cap")
                .add("cap-setxattrat", "setxattrat", plain, "security.capability", "cap")
                .add("user-xattr", "setxattr", plain, "user.mcp-contain", "hello")
                .add("fchmod-0700", "fchmod", plain, "0700");
        if (x86()) {
            s.add("creat-4755", "creat-mode", dir.resolve("creat-4755"), "04755");
        }
        return s;
    }

    /** A folder the server's uid can write without idmaps (landlock and reduced isolation need that). */
    private static Path writableDir(EscapeSuite suite, Identity id, String purpose) {
        Path work = suite.workDir(id, purpose);
        EscapeSuite.chmod(work.getParent(), "rwx--x--x");
        EscapeSuite.chmod(work, "rwxr-xr-x");
        return suite.ownedDir(id, work.resolve("grant"), "rwxrwxrwx");
    }

    @TestFactory
    Stream<DynamicNode> setidPlanting() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> groups = new ArrayList<>();
            // The unconfined control: the same steps by the server's uid in a folder it owns.
            Lazy<Path> controlDir = Lazy.of(() -> {
                Path dir = writableDir(suite, id, "setid-control");
                EscapeSuite.chown(dir, id.serverUser());
                return dir;
            });
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, steps(controlDir.get())));
            Lazy<RunResult> rootControl = Lazy.of(() -> {
                EscapeSuite.requireThat(suite.suiteIsRoot(), "file capabilities can only be set by root: the"
                        + " control needs a root suite");
                Path dir = writableDir(suite, id, "setid-root-control");
                return suite.controlAsRoot(Steps.of().add("create", "create-mode", dir.resolve("f"), "0755")
                        .add("cap-setxattr", "setxattr", dir.resolve("f"), "security.capability", "cap"));
            });
            List<DynamicNode> controls = new ArrayList<>();
            controls.add(Named.test(id, "control: unconfined, the server's uid sets every bit and user xattr", () -> {
                RunResult r = control.get();
                for (String label : List.of("create-0644", "chmod-4755", "chmod-2755", "chmod-6755", "fchmod-4755",
                        "fchmod-2755", "fchmodat2-4755", "create-4755", "create-2755", "tmpfile-4755", "mkdir-2755",
                        "mknod-4755", "openat2-4755", "user-xattr")) {
                    r.assertAllowed(label);
                }
                assertEquals("mode=4755", r.assertAllowed("create-4755").detail(), r::toString);
                assertEquals("mode=4755", r.assertAllowed("mknod-4755").detail(), r::toString);
                assertEquals("mode=4755", r.assertAllowed("openat2-4755").detail(), r::toString);
                assertEquals("mode=4755", r.assertAllowed("tmpfile-4755").detail(), r::toString);
                if (x86()) {
                    assertEquals("mode=4755", r.assertAllowed("creat-4755").detail(), r::toString);
                }
            }));
            controls.add(Named.test(id, "control: unconfined root sets security.capability", () ->
                    rootControl.get().assertAllowed("cap-setxattr")));
            groups.add(org.junit.jupiter.api.DynamicContainer.dynamicContainer("controls", controls));

            for (Mode mode : MODES) {
                Lazy<Path> dir = Lazy.of(() -> writableDir(suite, id, "setid-" + mode.key().replace('/', '-')));
                Lazy<RunResult> contained = Lazy.of(() -> {
                    Launch launch = suite.launch(id, "setid " + mode.key()).profile(mode.profile())
                            .option(mode.options().toArray(String[]::new));
                    if (mode.key().equals("landlock")) {
                        launch.landlockAccepting(); // the profile that accepts landlock's open weaknesses
                    }
                    if (mode.grant()) {
                        launch.grant(dir.get(), "rw");
                    }
                    return launch.probe(steps(dir.get())).run();
                });
                List<DynamicNode> tests = new ArrayList<>();
                tests.add(Named.test(id, mode.key() + ": the probe made every attempt", () ->
                        contained.get().assertProbeCompleted(steps(dir.get()).labels())));
                tests.add(Named.test(id, mode.key() + ": positive control in the same folder: plain create, fchmod,"
                        + " mkdir, mknod work", () -> {
                    RunResult r = contained.get();
                    assertEquals("mode=0644", r.assertAllowed("create-0644").detail(), r::toString);
                    assertEquals("mode=0755", r.assertAllowed("fchmod-0755").detail(), r::toString);
                    r.assertAllowed("mkdir-0755");
                    r.assertAllowed("mknod-0644");
                    assertEquals("mode=0700", r.assertAllowed("fchmod-0700").detail(), r::toString);
                }));
                for (String[] attempt : SETID_DENIED) {
                    tests.add(Named.test(id, mode.key() + ": " + attempt[0] + " -> " + attempt[1], () ->
                            contained.get().assertDenied(attempt[0], attempt[1])));
                }
                if (x86()) {
                    tests.add(Named.test(id, mode.key() + ": creat-4755 -> EPERM", () ->
                            contained.get().assertDenied("creat-4755", "EPERM")));
                }
                tests.add(Named.test(id, mode.key() + ": on the host, no file the server wrote has S_ISUID or"
                        + " S_ISGID", () -> {
                    contained.get();
                    assertEquals(List.of(), setidFiles(dir.get()));
                }));
                groups.add(org.junit.jupiter.api.DynamicContainer.dynamicContainer(mode.key(), tests));
            }
            return Named.group(id, groups);
        });
    }

    /**
     * Red team variant: a setuid or setgid file that is already in a writable grant. Seccomp stops making one, and
     * write, truncate, fallocate and clone strip the bits from a file they change; a store through a shared writable
     * mapping does not. As a root launcher the grant's idmap makes the agent the owner of root's files, so a
     * setuid-root program there would keep its bit with the server's bytes in it. Such files are bound read-only over
     * themselves inside the grant: opening them for writing fails with EROFS, renaming or removing them with EBUSY.
     * Controls: the same store on a plain file in the same grant works; unconfined, the server's uid keeps the bit
     * through the same store on a setuid file it owns.
     */
    @TestFactory
    Stream<DynamicNode> existingSetidFileInWritableGrant() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> groups = new ArrayList<>();
            Lazy<RunResult> control = Lazy.of(() -> {
                Path dir = writableDir(suite, id, "setid-mmap-control");
                Path file = binary(dir.resolve("suid"), id.serverUser(), 04755);
                return suite.control(id, Steps.of().add("mmap-suid", "mmap-write", file));
            });
            groups.add(Named.test(id, "control: unconfined, a store through a shared mapping keeps S_ISUID", () ->
                    assertEquals("mode=4755", control.get().assertAllowed("mmap-suid").detail(), control.get()::toString)));
            for (String profile : List.of("strict", "default")) {
                Lazy<Path> dir = Lazy.of(() -> {
                    Path work = suite.workDir(id, "setid-existing-" + profile);
                    EscapeSuite.chmod(work.getParent(), "rwx--x--x");
                    EscapeSuite.chmod(work, "rwxr-xr-x");
                    Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxr-xr-x");
                    suite.ownedDir(id, grant.resolve("sub"), "rwxr-xr-x");
                    binary(grant.resolve("suid"), id.user(), 04755);
                    binary(grant.resolve("sub/sgid"), id.user(), 02755);
                    binary(grant.resolve("plain"), id.user(), 0755);
                    return grant;
                });
                Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "setid-existing " + profile).profile(profile)
                        .grant(dir.get(), "rw").probe(Steps.of()
                                .add("mmap-plain", "mmap-write", dir.get().resolve("plain"))
                                .add("mmap-suid", "mmap-write", dir.get().resolve("suid"))
                                .add("mmap-sgid", "mmap-write", dir.get().resolve("sub/sgid"))
                                .add("rename-suid", "rename", dir.get().resolve("suid"), dir.get().resolve("moved"))
                                .add("unlink-sgid", "unlink", dir.get().resolve("sub/sgid"))).run());
                List<DynamicNode> tests = new ArrayList<>();
                tests.add(Named.test(id, profile + ": control: the same store on a plain file in the same grant works", () ->
                        assertEquals("mode=0755", contained.get().assertAllowed("mmap-plain").detail(), contained.get()::toString)));
                tests.add(Named.test(id, profile + ": a setuid file in the grant cannot be opened for writing (EROFS)", () ->
                        contained.get().assertDenied("mmap-suid", "EROFS")));
                tests.add(Named.test(id, profile + ": nor a setgid one below it (EROFS)", () ->
                        contained.get().assertDenied("mmap-sgid", "EROFS")));
                tests.add(Named.test(id, profile + ": nor renamed or removed (EBUSY)", () -> {
                    contained.get().assertDenied("rename-suid", "EBUSY");
                    contained.get().assertDenied("unlink-sgid", "EBUSY");
                }));
                tests.add(Named.test(id, profile + ": on the host both are unchanged", () -> {
                    contained.get();
                    assertEquals(List.of(dir.get().resolve("sub/sgid") + " 102755", dir.get().resolve("suid") + " 104755"),
                            setidFiles(dir.get()).stream().sorted().toList());
                    assertEquals(0, Files.readAllBytes(dir.get().resolve("suid"))[0]);
                }));
                groups.add(org.junit.jupiter.api.DynamicContainer.dynamicContainer(profile, tests));
            }
            return Named.group(id, groups);
        });
    }

    /**
     * Variant: the setuid file lies on a filesystem mounted inside the writable grant (a second disk, a tmpfs, a btrfs
     * subvolume). The grant is bound with everything mounted below it, so that file is writable too; the walk that
     * binds setuid files read-only stopped at the grant's own filesystem, and a store through a shared mapping
     * kept S_ISUID on the host. Control: a plain file on the same nested mount is written through the same store.
     */
    @TestFactory
    Stream<DynamicNode> setidFileOnAMountInsideAWritableGrant() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            List<DynamicNode> groups = new ArrayList<>();
            for (String profile : List.of("strict", "default")) {
                Lazy<Path> dir = Lazy.of(() -> {
                    EscapeSuite.requireThat(suite.suiteIsRoot(), "needs a root suite (it mounts a tmpfs in the grant)");
                    Path work = suite.workDir(id, "setid-nested-" + profile);
                    EscapeSuite.chmod(work.getParent(), "rwx--x--x");
                    EscapeSuite.chmod(work, "rwxr-xr-x");
                    Path grant = suite.ownedDir(id, work.resolve("grant"), "rwxr-xr-x");
                    Path mnt = suite.ownedDir(id, grant.resolve("disk"), "rwxr-xr-x");
                    EscapeSuite.hostCommand("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "it-nested", mnt.toString());
                    suite.onCleanup(() -> EscapeSuite.hostCommand("umount", "-l", mnt.toString()));
                    EscapeSuite.chown(mnt, id.user());
                    binary(mnt.resolve("suid"), id.user(), 04755);
                    binary(mnt.resolve("plain"), id.user(), 0755);
                    return grant;
                });
                Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "setid-nested " + profile).profile(profile)
                        .grant(dir.get(), "rw").probe(Steps.of()
                                .add("mmap-plain", "mmap-write", dir.get().resolve("disk/plain"))
                                .add("mmap-suid", "mmap-write", dir.get().resolve("disk/suid"))).run());
                List<DynamicNode> tests = new ArrayList<>();
                tests.add(Named.test(id, profile + ": control: a store on a plain file on the nested mount works", () ->
                        assertEquals("mode=0755", contained.get().assertAllowed("mmap-plain").detail(), contained.get()::toString)));
                tests.add(Named.test(id, profile + ": a setuid file on a mount inside the grant cannot be opened for writing (EROFS)", () -> {
                    contained.get().assertDenied("mmap-suid", "EROFS");
                    assertEquals(0, Files.readAllBytes(dir.get().resolve("disk/suid"))[0]);
                }));
                groups.add(org.junit.jupiter.api.DynamicContainer.dynamicContainer(profile, tests));
            }
            return Named.group(id, groups);
        });
    }

    /**
     * Variant: --isolation landlock. Without a mount namespace nothing can bind one file of a writable grant
     * read-only, and a store through a shared mapping kept the setuid bit of a file the server's uid owns (as a user
     * launcher: the user's own setuid file came back with the server's code). The launch is refused (125) naming the
     * file. Controls: the same grant read-only runs, and the same writable grant once the bit is gone runs.
     */
    @TestFactory
    Stream<DynamicNode> landlockRefusesAWritableGrantHoldingASetidFile() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> dir = Lazy.of(() -> {
                Path grant = writableDir(suite, id, "setid-landlock");
                suite.ownedDir(id, grant.resolve("deep"), "rwxr-xr-x");
                binary(grant.resolve("deep/suid"), id.serverUser(), 04755);
                return grant;
            });
            Steps steps = Steps.of().add("ids", "ids");
            Lazy<RunResult> refused = Lazy.of(() -> suite.launch(id, "setid-landlock").landlockAccepting()
                    .grant(dir.get(), "rw").probe(steps).run());
            Lazy<RunResult> readOnly = Lazy.of(() -> suite.launch(id, "setid-landlock-ro").landlockAccepting()
                    .grant(dir.get(), "ro").probe(steps).run());
            Lazy<RunResult> withoutBit = Lazy.of(() -> {
                refused.get();
                readOnly.get();
                binary(dir.get().resolve("deep/suid"), id.serverUser(), 0755);
                return suite.launch(id, "setid-landlock-plain").landlockAccepting().grant(dir.get(), "rw").probe(steps).run();
            });
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "landlock: a writable grant holding a setuid file is refused (125), naming it", () -> {
                RunResult r = refused.get();
                r.assertExit(125);
                assertTrue(r.stderr().contains("holds " + dir.get() + "/deep/suid, which is setuid"), r::toString);
                assertEquals(0, Files.readAllBytes(dir.get().resolve("deep/suid"))[0]);
            }));
            tests.add(Named.test(id, "landlock: control: the same grant read-only runs", () -> {
                readOnly.get().assertExit(0);
                assertTrue(readOnly.get().find("ids").isPresent(), readOnly.get()::toString);
            }));
            tests.add(Named.test(id, "landlock: a writable grant holding a folder the server may enter but not list (0300)"
                    + " is refused (125): a setuid file in it could not be seen; control: the same folder 0700 runs", () -> {
                Path grant = writableDir(suite, id, "setid-landlock-unlisted");
                Path locked = suite.ownedDir(id, grant.resolve("locked"), "rwx------");
                EscapeSuite.chown(locked, id.serverUser());
                EscapeSuite.chmod(locked, "-wx------");
                RunResult r = suite.launch(id, "setid-landlock-unlisted").landlockAccepting().grant(grant, "rw")
                        .probe(steps).run();
                r.assertExit(125);
                // Refused by the landlock check, or (a folder of the launching user's, who would chmod it back)
                // first by the writable grants' walk, which cannot search it for protected names either.
                assertTrue(r.stderr().contains("a folder named locked that the server may enter but not list")
                        || r.stderr().contains(locked + " cannot be searched"), r::toString);
                EscapeSuite.chmod(locked, "rwx------");
                RunResult ok = suite.launch(id, "setid-landlock-listed").landlockAccepting().grant(grant, "rw").probe(steps).run();
                ok.assertExit(0);
            }));
            tests.add(Named.test(id, "landlock: control: the same writable grant without the bit runs", () -> {
                withoutBit.get().assertExit(0);
                assertTrue(withoutBit.get().find("ids").isPresent(), withoutBit.get()::toString);
            }));
            return Named.group(id, tests);
        });
    }

    /** A small file of zero bytes owned by OWNER with MODE (set after the owner: chown clears the bits). */
    private static Path binary(Path file, Identity.Account owner, int mode) {
        try {
            Files.write(file, new byte[8192]);
            EscapeSuite.chown(file, owner);
            Files.setAttribute(file, "unix:mode", mode, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static List<String> setidFiles(Path dir) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if ((mode & 06000) != 0) {
                    found.add(p + " " + Integer.toOctalString(mode));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
