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

    /**
     * What a pipe client may do: read and write data, read attributes and the security descriptor (to check the
     * pipe's owner), wait on the handle. Not FILE_APPEND_DATA,
     * which on a pipe is FILE_CREATE_PIPE_INSTANCE (part of GENERIC_WRITE): with it a client could add instances of
     * the broker's pipe name and answer the next caller in the broker's place.
     */
    public static final int PIPE_CLIENT_RIGHTS = 0x00120083;

    /**
     * The broker's control pipe, owned by LocalSystem (only a process that is LocalSystem, or holds SeRestorePrivilege,
     * can make an object with that owner: the launcher checks it), LocalSystem, and the interactive users as clients. AppContainer processes (every
     * contained server) get nothing, as no entry names an AppContainer or ALL APPLICATION PACKAGES; network logons
     * are refused by PIPE_REJECT_REMOTE_CLIENTS and an explicit deny.
     */
    public static String brokerControlPipe() {
        return "O:SYD:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;0x" + Integer.toHexString(PIPE_CLIENT_RIGHTS) + ";;;IU)";
    }

    /** A per-run stdio pipe: LocalSystem, and the one user who asked for the run. */
    public static String runPipe(Sid caller) {
        return "O:SYD:P(A;;GA;;;SY)(A;;0x" + Integer.toHexString(PIPE_CLIENT_RIGHTS) + ";;;" + caller + ")";
    }

    /**
     * The service object: LocalSystem and Administrators full control; interactive users may query, start and
     * interrogate it (SERVICE_QUERY_STATUS 4, SERVICE_START 0x10, SERVICE_INTERROGATE 0x80, READ_CONTROL), so the
     * launcher can start the demand-start service, but not stop, reconfigure or delete it.
     */
    public static String brokerService() {
        return "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x20094;;;IU)";
    }

    /**
     * The broker's folder under ProgramData (its class path copy and the agent registrations): owned by
     * Administrators, changed only by them and SYSTEM, readable by users; no entry inherited from ProgramData,
     * where every user may create folders.
     */
    public static String brokerDirectory() {
        return "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";
    }
}
