package dev.mcpcontain.platform.windows.acl;

import dev.mcpcontain.platform.windows.Win32;

/**
 * One access-control entry the backend puts on a folder or file for a server: an allow entry for what the policy
 * grants, or a deny-write entry that keeps a protected path read-only inside a writable grant.
 *
 * @param path        the folder or file, as Windows spells it
 * @param trustee     the AppContainer SID (or the agent account's SID)
 * @param deny        deny entry instead of allow
 * @param accessMask  file access rights
 * @param inheritance {@link #INHERIT_TO_CHILDREN} for folders, 0 for files
 * @param reason      why, from the policy
 */
public record AceSpec(String path, Sid trustee, boolean deny, int accessMask, int inheritance, String reason) {

    /** FILE_GENERIC_READ | FILE_GENERIC_EXECUTE. */
    public static final int READ_EXECUTE = 0x001200A9;
    /** Read, write, execute and delete ("Modify"), without WRITE_DAC or WRITE_OWNER. */
    public static final int MODIFY = 0x001301BF;
    /** Every right that changes a file or folder: write/append data, EA, attributes, delete, delete child, DAC, owner. */
    public static final int WRITE_RIGHTS = 0x000D0156;
    /** SUB_CONTAINERS_AND_OBJECTS_INHERIT (CONTAINER_INHERIT_ACE | OBJECT_INHERIT_ACE). */
    public static final int INHERIT_TO_CHILDREN = 0x3;

    /**
     * A Low mandatory label (no write up) on a folder, so that a Low-integrity server can write what its DACL
     * entries allow: under mandatory integrity control an unlabeled object counts as Medium, and Low cannot write
     * Medium whatever the DACL says. Carried as an entry whose trustee is the Low integrity SID.
     */
    public static AceSpec lowLabel(String path, int inheritance, String reason) {
        return new AceSpec(path, Sid.integrity(Win32.SECURITY_MANDATORY_LOW_RID), false, AclBytes.NO_WRITE_UP,
                inheritance, reason);
    }

    /** A mandatory label, not an access entry. */
    public boolean isLabel() {
        return trustee.authority() == 16;
    }

    /** Both entries act on the same object and trustee, so revoking one revokes the other. */
    public boolean sameTarget(AceSpec other) {
        return path.equalsIgnoreCase(other.path) && trustee.equals(other.trustee);
    }

    public String describe() {
        if (isLabel()) {
            return "integrity label Low (no write up) on " + path + " (" + reason + ")";
        }
        String rights = deny ? "deny write" : accessMask == MODIFY ? "read-write" : accessMask == READ_EXECUTE
                ? "read+execute" : "rights 0x" + Integer.toHexString(accessMask);
        return rights + " " + path + " for " + trustee + " (" + reason + ")";
    }
}
