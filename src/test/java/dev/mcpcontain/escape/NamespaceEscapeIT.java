package dev.mcpcontain.escape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Nesting and remounting: the first step of most sandbox escapes is a fresh user namespace (full capabilities in
 * it) or a mount that changes what the server sees. Every attempt is real (actual flags, actual paths); the
 * controls make the same calls outside, in a private namespace so that nothing on the host changes.
 */
class NamespaceEscapeIT {

    private static final List<String> NAMESPACES = List.of("user", "mnt", "net", "pid", "ipc", "uts", "cgroup");

    @TestFactory
    Stream<DynamicNode> nesting() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Lazy<Path> readOnly = Lazy.of(() -> suite.ownedDir(id, suite.workDir(id, "ns").resolve("ro"), "rwxr-xr-x"));
            Lazy<Steps> steps = Lazy.of(() -> {
                Steps s = Steps.of();
                for (String ns : NAMESPACES) {
                    s.add("unshare-" + ns, "unshare", ns);
                }
                return s.add("clone-user", "clone-ns", "user")
                        .add("clone-net", "clone-ns", "net")
                        .add("clone3-user", "clone3", "user")
                        .add("clone3-plain", "clone3", "none")
                        .add("fork", "clone-ns", "none")
                        .add("setns-mnt", "setns", "mnt")
                        .add("setns-user", "setns", "user")
                        .add("setns-net", "setns", "net")
                        .add("mount-tmpfs", "mount-tmpfs", "/tmp")
                        .add("bind-root", "bind", "/", "/tmp")
                        .add("remount-grant-rw", "remount-rw", readOnly.get())
                        .add("remount-usr-rw", "remount-rw", "/usr")
                        .add("umount-proc", "umount", "/proc")
                        .add("umount-grant", "umount", readOnly.get())
                        .add("pivot-root", "pivot-root", "/tmp", "/tmp")
                        .add("chroot", "chroot", "/tmp")
                        .add("open-tree", "open-tree", "/")
                        .add("fsopen", "fsopen", "tmpfs")
                        .add("mounts-after", "mounts-without", "nosuid");
            });
            Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "nesting").grant(readOnly.get(), "ro").probe(steps.get()).run());
            Steps controlSteps = Steps.of()
                    .add("unshare-user", "unshare", "user")
                    .add("unshare-mnt", "unshare", "mnt")
                    .add("unshare-net", "unshare", "net")
                    .add("clone-user", "clone-ns", "user")
                    .add("clone3-plain", "clone3", "none")
                    .add("mount-tmpfs", "mount-tmpfs", "/tmp")
                    .add("chroot", "chroot", "/tmp")
                    .add("open-tree", "open-tree", "/")
                    .add("fsopen", "fsopen", "tmpfs")
                    // The same calls the containment refuses, made by the same uid in a user+mount namespace of
                    // its own (what 'unshare -Urm' gives, without the helper): each call itself works there.
                    // Host mounts are locked in that namespace, so remount and umount act on a tmpfs it mounted.
                    .add("setns-mnt", "setns", "mnt")
                    .add("setns-user", "setns", "user")
                    .add("mount-again", "mount-tmpfs", "/tmp")
                    .add("umount", "umount", "/tmp")
                    .add("remount-rw", "remount-rw", "/tmp")
                    // Last: it changes the root of this probe too.
                    .add("pivot-root", "pivot-root", "/tmp", "/tmp");
            Lazy<RunResult> control = Lazy.of(() -> suite.controlInPrivateNamespaces(id, controlSteps));

            List<DynamicNode> tests = new ArrayList<>();
            tests.add(Named.test(id, "the probe made every attempt", () -> contained.get().assertProbeCompleted(steps.get().labels())));
            for (String ns : NAMESPACES) {
                tests.add(Named.test(id, "unshare(CLONE_NEW" + ns.toUpperCase(java.util.Locale.ROOT) + "): EPERM", () ->
                        contained.get().assertDenied("unshare-" + ns, "EPERM")));
            }
            tests.add(Named.test(id, "control: outside, unshare user/mnt/net and clone(CLONE_NEWUSER) work", () -> {
                control.get().assertAllowed("unshare-user");
                control.get().assertAllowed("unshare-mnt");
                control.get().assertAllowed("unshare-net");
                control.get().assertAllowed("clone-user");
            }));
            tests.add(Named.test(id, "clone with CLONE_NEWUSER / CLONE_NEWNET: EPERM; a plain fork works", () -> {
                contained.get().assertDenied("clone-user", "EPERM");
                contained.get().assertDenied("clone-net", "EPERM");
                contained.get().assertAllowed("fork");
            }));
            tests.add(Named.test(id, "clone3, with or without namespace flags: exactly ENOSYS (control: clone3 works outside)", () -> {
                contained.get().assertDenied("clone3-user", "ENOSYS");
                contained.get().assertDenied("clone3-plain", "ENOSYS");
                control.get().assertAllowed("clone3-plain");
            }));
            tests.add(Named.test(id, "setns into its own mnt/user/net namespaces: EPERM", () -> {
                contained.get().assertDenied("setns-mnt", "EPERM");
                contained.get().assertDenied("setns-user", "EPERM");
                contained.get().assertDenied("setns-net", "EPERM");
            }));
            tests.add(Named.test(id, "control: outside, in its own user+mount namespace, setns(mnt) works and setns(user) "
                    + "reaches the kernel's own EINVAL (the containment's EPERM comes first)", () -> {
                control.get().assertAllowed("setns-mnt");
                control.get().assertDenied("setns-user", "EINVAL");
            }));
            tests.add(Named.test(id, "mount tmpfs, bind /: EPERM (control: works in a private namespace outside)", () -> {
                contained.get().assertDenied("mount-tmpfs", "EPERM");
                contained.get().assertDenied("bind-root", "EPERM");
                control.get().assertAllowed("mount-tmpfs");
            }));
            tests.add(Named.test(id, "remount a read-only grant (or /usr) read-write: EPERM", () -> {
                contained.get().assertDenied("remount-grant-rw", "EPERM");
                contained.get().assertDenied("remount-usr-rw", "EPERM");
            }));
            tests.add(Named.test(id, "control: outside, in its own user+mount namespace, the same uid remounts a mount", () ->
                    control.get().assertAllowed("remount-rw")));
            tests.add(Named.test(id, "umount /proc or a grant (to uncover what lies below): EPERM", () -> {
                contained.get().assertDenied("umount-proc", "EPERM");
                contained.get().assertDenied("umount-grant", "EPERM");
            }));
            tests.add(Named.test(id, "control: outside, in its own user+mount namespace, the same uid unmounts a mount", () ->
                    control.get().assertAllowed("umount")));
            tests.add(Named.test(id, "pivot_root and chroot: EPERM (control: both work outside, in its own user+mount namespace)", () -> {
                contained.get().assertDenied("pivot-root", "EPERM");
                contained.get().assertDenied("chroot", "EPERM");
                control.get().assertAllowed("chroot");
                control.get().assertAllowed("pivot-root");
            }));
            tests.add(Named.test(id, "open_tree: EPERM; fsopen (new mount API): ENOSYS (control: both work outside)", () -> {
                contained.get().assertDenied("open-tree", "EPERM");
                contained.get().assertDenied("fsopen", "ENOSYS");
                control.get().assertAllowed("open-tree");
                control.get().assertAllowed("fsopen");
            }));
            tests.add(Named.test(id, "afterwards every mount is still nosuid (nothing was added)", () ->
                    contained.get().assertValue("mounts-after", "none")));
            return Named.group(id, tests);
        });
    }
}
