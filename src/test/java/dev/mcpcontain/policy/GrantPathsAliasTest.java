package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A folder's other names through the mounts of its filesystem, and the grants refused for them. */
class GrantPathsAliasTest {

    private static GrantPaths.Mount m(String device, String root, String point) {
        return new GrantPaths.Mount(device, Path.of(root), Path.of(point));
    }

    private static final List<GrantPaths.Mount> MOUNTS = List.of(
            m("254:0", "/", "/"), m("0:21", "/", "/proc"), m("254:0", "/etc/cron.d", "/srv/cron"),
            m("254:0", "/etc/security", "/srv/data/sec"), m("8:17", "/", "/data"), m("8:17", "/home/u", "/home/u"),
            m("254:0", "/run/netns", "/run/netns"));

    private static final List<Path> GUARDED = List.of(Path.of("/etc"), Path.of("/usr"), Path.of("/home/u"));

    @Test
    void otherNamesComeFromEveryMountOfTheSameFilesystem() {
        assertEquals(List.of(Path.of("/etc/cron.d/x")), GrantPaths.otherNames(Path.of("/srv/cron/x"), MOUNTS));
        assertEquals(List.of(Path.of("/data/home/u/proj")), GrantPaths.otherNames(Path.of("/home/u/proj"), MOUNTS));
        assertEquals(List.of(Path.of("/home/u/proj")), GrantPaths.otherNames(Path.of("/data/home/u/proj"), MOUNTS));
        assertEquals(List.of(), GrantPaths.otherNames(Path.of("/srv/plain"), MOUNTS));
        assertEquals(List.of(), GrantPaths.otherNames(Path.of("/run/netns"), MOUNTS));
    }

    @Test
    void aGrantThatIsHoldsOrLiesInAGuardedPlaceUnderAnotherNameIsRefused() {
        String is = assertThrows(PolicyException.class,
                () -> GrantPaths.refuseAliases(Path.of("/srv/cron"), "g", GUARDED, MOUNTS)).getMessage();
        assertTrue(is.contains("/srv/cron is another name (through a mount) of /etc/cron.d, in /etc"), is);
        String holds = assertThrows(PolicyException.class,
                () -> GrantPaths.refuseAliases(Path.of("/srv/data"), "g", GUARDED, MOUNTS)).getMessage();
        assertTrue(holds.contains("/srv/data holds /srv/data/sec, another name (a mount) of /etc/security"), holds);
        String home = assertThrows(PolicyException.class,
                () -> GrantPaths.refuseAliases(Path.of("/data/home/u/proj"), "g", GUARDED, MOUNTS)).getMessage();
        assertTrue(home.contains("of /home/u/proj, in /home/u"), home);
        // by their own names, and places with no guarded other name, pass
        GrantPaths.refuseAliases(Path.of("/home/u/proj"), "g", GUARDED, MOUNTS);
        GrantPaths.refuseAliases(Path.of("/srv/plain"), "g", GUARDED, MOUNTS);
        GrantPaths.refuseAliases(Path.of("/data/other"), "g", GUARDED, MOUNTS);
    }

    @org.junit.jupiter.api.io.TempDir
    Path temp;

    @Test
    void aGrantHoldingTheSocketOfARunningProgramIsRefused() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(temp.toRealPath().resolve("run/sub"));
        Path socket = dir.resolve("svc.sock");
        try (java.nio.channels.ServerSocketChannel listener =
                java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            listener.bind(java.net.UnixDomainSocketAddress.of(socket));
            java.util.Map<Path, List<Path>> listening = GrantPaths.listeningSockets();
            assertTrue(listening.getOrDefault(dir, List.of()).contains(socket), listening.toString());
            String message = assertThrows(PolicyException.class, () -> GrantPaths.refuseSockets(dir.getParent(), "g",
                    "x:ro,sockets", listening)).getMessage();
            assertTrue(message.contains("holds " + socket + ", the unix socket of a running program"), message);
            assertTrue(message.contains("x:ro,sockets"), message);
            GrantPaths.refuseSockets(temp.toRealPath().resolve("elsewhere"), "g", "x", listening);
        }
    }
}
