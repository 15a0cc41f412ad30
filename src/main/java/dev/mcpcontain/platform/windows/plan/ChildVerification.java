package dev.mcpcontain.platform.windows.plan;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the suspended child must be before it may run a single instruction of its own: the checks of step 11 of
 * the launch sequence. Windows can accept a containment attribute and still start the process without it (Wine
 * does exactly that with SECURITY_CAPABILITIES), so the child's own token is read back and compared.
 *
 * @param appContainer  the AppContainer SID the token must carry, or empty for reduced isolation
 * @param capabilities  exactly the capabilities the token may hold
 * @param maxIntegrity  the highest integrity RID allowed (Low = 0x1000), or -1 for no check
 * @param restrictedAdministrators Administrators, if present, must be deny-only; privileges all removed but
 *                      SeChangeNotifyPrivilege
 * @param restricted    IsTokenRestricted must hold (restricting SIDs were asked for)
 * @param user          the account the child must run as, when an agent account is used
 */
public record ChildVerification(Optional<Sid> appContainer, List<Sid> capabilities, int maxIntegrity,
        boolean restrictedAdministrators, boolean restricted, Optional<Sid> user) {

    /** Reduced isolation: only job membership is checked. */
    public static ChildVerification jobOnly() {
        return new ChildVerification(Optional.empty(), List.of(), -1, false, false, Optional.empty());
    }

    /** Reads the child's token through {@code win32} and returns every way it differs from what was asked. */
    public List<String> problems(Win32 win32, Win32.Handle childToken, Win32.Handle childProcess, Win32.Handle job) {
        List<String> problems = new ArrayList<>();
        if (appContainer.isPresent()) {
            if (!win32.tokenIsAppContainer(childToken)) {
                problems.add("the child's token is not an AppContainer token");
            }
            Optional<Sid> actual = win32.tokenAppContainerSid(childToken);
            if (!actual.equals(appContainer)) {
                problems.add("AppContainer SID is " + actual.map(Sid::toString).orElse("absent") + ", expected "
                        + appContainer.get());
            }
            Set<Sid> held = new HashSet<>();
            for (Win32.Group capability : win32.tokenCapabilities(childToken)) {
                held.add(capability.sid());
            }
            if (!held.equals(new HashSet<>(capabilities))) {
                problems.add("capabilities are " + held + ", expected exactly " + capabilities);
            }
        }
        if (maxIntegrity >= 0) {
            long rid = win32.tokenIntegrityLevel(childToken).rid();
            if (rid > maxIntegrity) {
                problems.add("integrity level is 0x" + Long.toHexString(rid) + ", expected at most 0x"
                        + Integer.toHexString(maxIntegrity));
            }
        }
        if (restrictedAdministrators) {
            for (Win32.Group group : win32.tokenGroups(childToken)) {
                if (group.sid().equals(Sid.ADMINISTRATORS) && ((group.attributes() & Win32.SE_GROUP_USE_FOR_DENY_ONLY) == 0
                        || (group.attributes() & Win32.SE_GROUP_ENABLED) != 0)) {
                    problems.add("Administrators is not deny-only (attributes 0x" + Integer.toHexString(group.attributes()) + ")");
                }
            }
            List<Long> extra = win32.tokenPrivileges(childToken).stream()
                    .filter(luid -> luid != Win32.SE_CHANGE_NOTIFY_PRIVILEGE).toList();
            if (!extra.isEmpty()) {
                problems.add("privileges were not removed (LUIDs " + extra + ")");
            }
        }
        if (restricted && !win32.isTokenRestricted(childToken)) {
            problems.add("the token has no restricting SIDs");
        }
        if (user.isPresent()) {
            Sid actual = win32.tokenUser(childToken);
            if (!actual.equals(user.get())) {
                problems.add("runs as " + actual + ", expected the agent account " + user.get());
            }
        }
        if (!win32.isProcessInJob(childProcess, job)) {
            problems.add("the child is not in its job object");
        }
        return problems;
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        appContainer.ifPresent(sid -> parts.add("AppContainer token with SID " + sid + " and capabilities exactly "
                + (capabilities.isEmpty() ? "none" : capabilities)));
        if (maxIntegrity >= 0) {
            parts.add("integrity at most Low");
        }
        if (restrictedAdministrators) {
            parts.add("Administrators deny-only, no privileges but SeChangeNotify");
        }
        if (restricted) {
            parts.add("restricted token");
        }
        user.ifPresent(sid -> parts.add("user " + sid));
        parts.add("member of the job");
        return String.join(", ", parts);
    }
}
