package dev.mcpcontain.platform.windows;

/** Changes the DACL of a folder or file; the JNA side does it with Get/SetNamedSecurityInfoW and SetEntriesInAclW. */
public interface AclEditor {

    /** Merges one entry into the object's DACL (GRANT_ACCESS or DENY_ACCESS). */
    void apply(AceSpec ace);

    /**
     * Removes every explicit entry for {@code trustee} (REVOKE_ACCESS).
     *
     * @return false when the object no longer exists (its entries went with it)
     */
    boolean revoke(String path, Sid trustee);
}
