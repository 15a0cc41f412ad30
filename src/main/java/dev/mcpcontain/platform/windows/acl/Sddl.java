package dev.mcpcontain.platform.windows.acl;

import java.util.Optional;

/**
 * Security descriptors written in SDDL, for the objects the launcher creates itself.
 *
 * <p>The server's own window station and desktop carry its UI isolation. Job UI limits cannot always be set
 * (Windows refuses to nest jobs when either sets UI limits, and the launcher itself, or the agent's inner launcher,
 * is often in a job already), so the rights the server's trustees get here are the general mechanism: the
 * clipboard and global atoms are per window station, window messages and hooks per desktop, and the rights that
 * reach beyond them are left out.
 */
public final class Sddl {

    /**
     * Window station rights for the server: enumerate desktops (1), read attributes (2), its own clipboard (4),
     * its own global atoms (0x20), enumerate (0x100), READ_CONTROL. Not: create desktop (8), write attributes
     * (0x10, SystemParametersInfo), exit windows (0x40, ExitWindowsEx), read screen (0x200).
     */
    public static final int SERVER_WINSTA_RIGHTS = 0x00020127;
    /**
     * Desktop rights for the server: read objects (1), create windows (2) and menus (4), enumerate (0x40), write
     * objects (0x80), READ_CONTROL. Not: hooks (8), journal record/playback (0x10, 0x20), switch desktop (0x100).
     */
    public static final int SERVER_DESKTOP_RIGHTS = 0x000200C7;

    private Sddl() {}

    public static String windowStation(Sid user, Optional<Sid> agent, Optional<Sid> appContainer) {
        return descriptor(user, agent, appContainer, SERVER_WINSTA_RIGHTS);
    }

    public static String desktop(Sid user, Optional<Sid> agent, Optional<Sid> appContainer) {
        return descriptor(user, agent, appContainer, SERVER_DESKTOP_RIGHTS);
    }

    /**
     * Full access for the launching user (it creates the desktop) and LocalSystem; the server's rights for the
     * agent account and the AppContainer, nobody else; labelled Low so that the Low-integrity server can open them
     * for writing (objects without a label count as Medium).
     */
    private static String descriptor(Sid user, Optional<Sid> agent, Optional<Sid> appContainer, int serverRights) {
        StringBuilder sddl = new StringBuilder("D:P");
        if (user != null) {
            sddl.append("(A;;GA;;;").append(user).append(')');
        }
        sddl.append("(A;;GA;;;SY)");
        String rights = "0x" + Integer.toHexString(serverRights);
        agent.ifPresent(sid -> sddl.append("(A;;").append(rights).append(";;;").append(sid).append(')'));
        appContainer.ifPresent(sid -> sddl.append("(A;;").append(rights).append(";;;").append(sid).append(')'));
        return sddl.append("S:(ML;;NW;;;LW)").toString();
    }
}
