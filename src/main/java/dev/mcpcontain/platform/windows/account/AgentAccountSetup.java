package dev.mcpcontain.platform.windows.account;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code mcp-contain setup}: creates the local agent account (or gives an existing one a new password), and stores
 * the password protected for the user who ran it. Needs an elevated prompt; run once per machine and user.
 */
public final class AgentAccountSetup {

    static final String ALPHABET_LOWER = "abcdefghijkmnopqrstuvwxyz";
    static final String ALPHABET_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static final String ALPHABET_DIGITS = "23456789";
    static final String ALPHABET_SYMBOLS = "!#%+-.=?@^_~";
    static final int PASSWORD_LENGTH = 32;

    /** @param user the Windows user who ran setup (the broker registers the account for this user) */
    public record Result(String userName, Sid sid, boolean created, Sid user) {}

    private final AccountAdmin admin;
    private final AgentAccountStore store;
    private final SecureRandom random;
    private final Clock clock;

    public AgentAccountSetup(AccountAdmin admin, AgentAccountStore store, SecureRandom random, Clock clock) {
        this.admin = admin;
        this.store = store;
        this.random = random;
        this.clock = clock;
    }

    /**
     * @param requestedName the name profiles use ({@code agentUser}); the account made is
     *                      {@code <requestedName>-<6 hex of your SID>}, one per Windows user, so that setup for a second
     *                      user never resets the first user's account and stored password
     */
    public Result run(String requestedName) throws IOException {
        return run(requestedName, AgentAccountStore.Account.INTERACTIVE);
    }

    /** @param session {@code services} (the broker) or {@code interactive}: see {@link AgentAccountStore.Account} */
    public Result run(String requestedName, String session) throws IOException {
        if (!requestedName.matches("[a-z_][a-z0-9_-]{0,12}")) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "agent account name '" + requestedName
                    + "' is not valid (lower-case letters, digits, '_', '-'; at most 13 characters, as a per-user"
                    + " suffix of 7 is added and Windows allows 20)");
        }
        if (!admin.isElevated()) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "mcp-contain setup creates a local account and must"
                    + " run elevated: open a terminal with 'Run as administrator' and run it again");
        }
        Sid me = admin.currentUser();
        Optional<Sid> signedIn = admin.sessionUser();
        if (signedIn.isPresent() && !signedIn.get().equals(me)) {
            // Over-the-shoulder UAC: DPAPI would protect the password for the administrator, not for the user
            // who will launch servers, and the file would land in the administrator's profile.
            throw new ContainmentException(Reason.UNENFORCEABLE, "mcp-contain setup runs as " + me + " but "
                    + signedIn.get() + " is signed in to this session (an administrator's credentials were typed into"
                    + " the elevation prompt): the agent password would be stored for the administrator, not for you."
                    + " Run setup elevated from your own account (which must be an administrator), or sign in as the"
                    + " administrator only to run it for themselves");
        }
        String userName = accountName(requestedName, me);
        char[] password = newPassword();
        try {
            boolean created = admin.lookup(userName).isEmpty();
            if (created) {
                admin.createUser(userName, password, "mcp-contain agent account: runs contained MCP servers");
            } else {
                admin.setPassword(userName, password);
            }
            Sid sid = admin.lookup(userName).orElseThrow(() -> new ContainmentException(Reason.LAUNCH_FAILED,
                    "account " + userName + " was created but cannot be looked up"));
            admin.hideFromSignInScreen(userName);
            if (session.equals(AgentAccountStore.Account.SERVICES)) {
                admin.grantBatchLogonRight(sid);
            }
            java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            byte[] blob;
            try {
                blob = admin.protect(bytes);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            store.put(new AgentAccountStore.Account(userName, sid.toString(), Base64.getEncoder().encodeToString(blob),
                    clock.instant().toString(), requestedName, me.toString(), session));
            return new Result(userName, sid, created, me);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Whether {@code accountName} is one setup made for {@code user}: its suffix is the hash of that user's SID. The
     * broker checks it for every registration it uses, so a registration naming another user's agent is refused.
     */
    public static boolean isAccountOf(String accountName, Sid user) {
        int dash = accountName.lastIndexOf('-');
        return dash > 0 && accountName.equalsIgnoreCase(accountName(accountName.substring(0, dash), user));
    }

    /** {@code <requested>-<6 hex of SHA-256(user SID)>}: at most 20 characters, one account per Windows user. */
    public static String accountName(String requested, Sid user) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(user.toString().getBytes(StandardCharsets.UTF_8));
            return requested + "-" + java.util.HexFormat.of().formatHex(digest, 0, 3);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Random, with every character class present so that any local password policy accepts it. */
    char[] newPassword() {
        String all = ALPHABET_LOWER + ALPHABET_UPPER + ALPHABET_DIGITS + ALPHABET_SYMBOLS;
        char[] password = new char[PASSWORD_LENGTH];
        String[] classes = {ALPHABET_LOWER, ALPHABET_UPPER, ALPHABET_DIGITS, ALPHABET_SYMBOLS};
        for (int i = 0; i < password.length; i++) {
            String from = i < classes.length ? classes[i] : all;
            password[i] = from.charAt(random.nextInt(from.length()));
        }
        for (int i = password.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            char t = password[i];
            password[i] = password[j];
            password[j] = t;
        }
        return password;
    }
}
