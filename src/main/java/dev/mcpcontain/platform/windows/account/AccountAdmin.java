package dev.mcpcontain.platform.windows.account;

import dev.mcpcontain.platform.windows.acl.Sid;
import java.util.Optional;

/** The account and secret calls {@code mcp-contain setup} makes; {@code jna.JnaAccountAdmin} on Windows. */
public interface AccountAdmin {

    boolean isElevated();

    /** The user of this process's token (for an over-the-shoulder elevation: the administrator who typed in). */
    Sid currentUser();

    /** The user signed in to this process's Windows session (WTSQuerySessionInformation), when there is one. */
    Optional<Sid> sessionUser();

    /** HKLM\...\Winlogon\SpecialAccounts\UserList\NAME = 0: the account does not show on the sign-in screen. */
    void hideFromSignInScreen(String userName);

    /** The account's SID, or empty when no local account has that name. */
    Optional<Sid> lookup(String userName);

    /** NetUserAdd: a normal user (USER_PRIV_USER), password never expires, user cannot change it. */
    void createUser(String userName, char[] password, String comment);

    /** NetUserSetInfo level 1003. */
    void setPassword(String userName, char[] password);

    /**
     * LsaAddAccountRights(SeBatchLogonRight): the broker logs the agent on with S4U as a batch logon, which Windows
     * grants only to accounts holding this right (Task Scheduler's "do not store password" tasks need the same).
     */
    void grantBatchLogonRight(Sid account);

    /** CryptProtectData for the current user. */
    byte[] protect(byte[] secret);

    byte[] unprotect(byte[] protectedSecret);
}
