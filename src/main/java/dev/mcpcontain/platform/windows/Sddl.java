package dev.mcpcontain.platform.windows;

import java.util.Optional;

/** Security descriptors written in SDDL, for the objects the launcher creates itself. */
public final class Sddl {

    private Sddl() {}

    /**
     * The server's own window station and desktop: full access for the launching user (needed to create the
     * desktop), LocalSystem and the AppContainer, nobody else; labelled Low so that the Low-integrity server can
     * open them for writing (objects without a label count as Medium).
     */
    public static String windowStationOrDesktop(Sid user, Optional<Sid> appContainer) {
        return windowStationOrDesktop(user, Optional.empty(), appContainer);
    }

    /** The same, also open to the agent account that runs the inner launcher and the server. */
    public static String windowStationOrDesktop(Sid user, Optional<Sid> agent, Optional<Sid> appContainer) {
        StringBuilder sddl = new StringBuilder("D:P");
        if (user != null) {
            sddl.append("(A;;GA;;;").append(user).append(')');
        }
        agent.ifPresent(sid -> sddl.append("(A;;GA;;;").append(sid).append(')'));
        sddl.append("(A;;GA;;;SY)");
        appContainer.ifPresent(sid -> sddl.append("(A;;GA;;;").append(sid).append(')'));
        return sddl.append("S:(ML;;NW;;;LW)").toString();
    }
}
