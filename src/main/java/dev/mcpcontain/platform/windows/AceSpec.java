package dev.mcpcontain.platform.windows;

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

    /** Both entries act on the same object and trustee, so revoking one revokes the other. */
    public boolean sameTarget(AceSpec other) {
        return path.equalsIgnoreCase(other.path) && trustee.equals(other.trustee);
    }

    public String describe() {
        String rights = deny ? "deny write" : accessMask == MODIFY ? "read-write" : accessMask == READ_EXECUTE
                ? "read+execute" : "rights 0x" + Integer.toHexString(accessMask);
        return rights + " " + path + " for " + trustee + " (" + reason + ")";
    }
}
