package dev.mcpcontain.platform.windows.acl;

/**
 * Changes the DACL (or the mandatory label) of a folder or file; the JNA side does it with Get/SetNamedSecurityInfoW
 * and SetEntriesInAclW. Entries whose trustee is an integrity SID ({@link AceSpec#isLabel()}) are labels.
 */
public interface AclEditor {

    /** Merges one entry into the object's DACL (GRANT_ACCESS or DENY_ACCESS), or sets the label. */
    void apply(AceSpec ace);

    /**
     * Removes every explicit entry for {@code trustee} (REVOKE_ACCESS), or the label when it is an integrity SID.
     *
     * @return false when the object no longer exists (its entries went with it)
     */
    boolean revoke(String path, Sid trustee);

    /** Reads the object back: does it hold this entry (or label) now? False when the object does not exist. */
    boolean holds(AceSpec ace);
}
