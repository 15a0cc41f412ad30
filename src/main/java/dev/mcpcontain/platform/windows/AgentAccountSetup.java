package dev.mcpcontain.platform.windows;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.launch.ContainmentException.Reason;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;

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

    public record Result(String userName, Sid sid, boolean created) {}

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

    public Result run(String userName) throws IOException {
        if (!userName.matches("[a-z_][a-z0-9_-]{0,19}")) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "agent account name '" + userName
                    + "' is not valid (lower-case letters, digits, '_', '-'; at most 20 characters)");
        }
        if (!admin.isElevated()) {
            throw new ContainmentException(Reason.UNENFORCEABLE, "mcp-contain setup creates a local account and must"
                    + " run elevated: open a terminal with 'Run as administrator' and run it again");
        }
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
                    clock.instant().toString()));
            return new Result(userName, sid, created);
        } finally {
            Arrays.fill(password, '\0');
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
