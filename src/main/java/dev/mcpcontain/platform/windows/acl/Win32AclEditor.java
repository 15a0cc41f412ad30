package dev.mcpcontain.platform.windows.acl;

import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.Win32CallException;

/** The ledger's {@link AclEditor} on top of {@link Win32}. */
public final class Win32AclEditor implements AclEditor {

    private final Win32 win32;

    public Win32AclEditor(Win32 win32) {
        this.win32 = win32;
    }

    @Override
    public void apply(AceSpec ace) {
        try {
            if (ace.isLabel()) {
                win32.setMandatoryLabel(ace.path(), (int) ace.trustee().rid(), ace.inheritance());
                return;
            }
            win32.addAce(ace);
        } catch (Win32CallException e) {
            if (e.code() == Win32CallException.ERROR_ACCESS_DENIED) {
                throw new Win32CallException(e.function() + " on " + ace.path(), e.code(),
                        "you may not change this folder's permissions, so the server cannot be given access to it;"
                                + " grant a folder you own instead");
            }
            throw new Win32CallException(e.function() + " on " + ace.path(), e.code(), "");
        }
    }

    @Override
    public boolean revoke(String path, Sid trustee) {
        return trustee.authority() == 16 ? win32.removeMandatoryLabel(path) : win32.revokeAces(path, trustee);
    }

    @Override
    public boolean holds(AceSpec ace) {
        try {
            return ace.isLabel() ? win32.mandatoryLabel(ace.path()) == ace.trustee().rid() : win32.hasAce(ace);
        } catch (Win32CallException e) {
            if (e.code() == Win32CallException.ERROR_FILE_NOT_FOUND || e.code() == Win32CallException.ERROR_PATH_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }
}
