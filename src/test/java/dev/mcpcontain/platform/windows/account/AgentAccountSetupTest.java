package dev.mcpcontain.platform.windows.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.launch.ContainmentException;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentAccountSetupTest {

    @TempDir
    Path dir;

    /** Accounts in a map; "protection" reverses the bytes and prefixes a marker, so the test can tell it happened. */
    static final class FakeAdmin implements AccountAdmin {
        boolean elevated = true;
        Sid me = Sid.parse("S-1-5-21-9-9-9-1000");
        Optional<Sid> signedIn = Optional.of(me);
        final List<String> hidden = new ArrayList<>();

        @Override
        public Sid currentUser() {
            return me;
        }

        @Override
        public Optional<Sid> sessionUser() {
            return signedIn;
        }

        @Override
        public void grantBatchLogonRight(Sid account) {
            batchLogon.add(account);
        }

        final java.util.List<Sid> batchLogon = new java.util.ArrayList<>();

        @Override
        public void hideFromSignInScreen(String userName) {
            hidden.add(userName);
        }
        final Map<String, Sid> users = new HashMap<>();
        final Map<String, String> passwords = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean isElevated() {
            return elevated;
        }

        @Override
        public Optional<Sid> lookup(String userName) {
            return Optional.ofNullable(users.get(userName));
        }

        @Override
        public void createUser(String userName, char[] password, String comment) {
            calls.add("create " + userName);
            users.put(userName, Sid.parse("S-1-5-21-9-9-9-" + (2000 + users.size())));
            passwords.put(userName, new String(password));
        }

        @Override
        public void setPassword(String userName, char[] password) {
            calls.add("setPassword " + userName);
            passwords.put(userName, new String(password));
        }

        @Override
        public byte[] protect(byte[] secret) {
            byte[] blob = new byte[secret.length + 4];
            System.arraycopy("DPAP".getBytes(StandardCharsets.US_ASCII), 0, blob, 0, 4);
            for (int i = 0; i < secret.length; i++) {
                blob[4 + i] = secret[secret.length - 1 - i];
            }
            return blob;
        }

        @Override
        public byte[] unprotect(byte[] blob) {
            byte[] secret = new byte[blob.length - 4];
            for (int i = 0; i < secret.length; i++) {
                secret[i] = blob[blob.length - 1 - i];
            }
            return secret;
        }
    }

    private final FakeAdmin admin = new FakeAdmin();

    private AgentAccountSetup setup() {
        return new AgentAccountSetup(admin, AgentAccountStore.in(dir), new SecureRandom(),
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private String mine() {
        return AgentAccountSetup.accountName("mcp-agent", admin.me);
    }

    @Test
    void createsTheAccountAndStoresOnlyTheProtectedPassword() throws IOException {
        AgentAccountSetup.Result result = setup().run("mcp-agent");
        assertTrue(result.created());
        assertTrue(mine().matches("mcp-agent-[0-9a-f]{6}") && mine().length() <= 20, mine());
        assertEquals(List.of("create " + mine()), admin.calls);
        assertEquals(List.of(mine()), admin.hidden, "not shown on the sign-in screen");
        String password = admin.passwords.get(mine());
        String file = Files.readString(dir.resolve(AgentAccountStore.FILE_NAME));
        assertFalse(file.contains(password), "the clear password is never written");
        AgentAccountStore.Account stored = AgentAccountStore.in(dir).find("MCP-AGENT").orElseThrow();
        assertEquals(result.sid().toString(), stored.sid());
        assertEquals(admin.me.toString(), stored.protectedFor());
        assertEquals(mine(), stored.userName());
        byte[] clear = admin.unprotect(Base64.getDecoder().decode(stored.protectedPassword()));
        assertEquals(password, new String(clear, StandardCharsets.UTF_8));
    }

    /** With the broker, the agent may be logged on as a batch job (S4U) and the account file says so. */
    @Test
    void theBrokerSettingGrantsBatchLogonAndIsRecorded() throws IOException {
        AgentAccountSetup.Result result = setup().run("mcp-agent", AgentAccountStore.Account.SERVICES);
        assertEquals(List.of(result.sid()), admin.batchLogon);
        assertEquals(admin.me, result.user());
        assertTrue(AgentAccountStore.in(dir).find("mcp-agent").orElseThrow().throughBroker());
        assertTrue(AgentAccountSetup.isAccountOf(result.userName(), admin.me));
        assertFalse(AgentAccountSetup.isAccountOf(result.userName(), Sid.parse("S-1-5-21-9-9-9-1001")));
        // Positive control: without the broker no right is granted and the same-session path is recorded.
        admin.batchLogon.clear();
        setup().run("mcp-agent", AgentAccountStore.Account.INTERACTIVE);
        assertTrue(admin.batchLogon.isEmpty());
        assertFalse(AgentAccountStore.in(dir).find("mcp-agent").orElseThrow().throughBroker());
    }

    @Test
    void secondRunRenewsThePasswordOfTheExistingAccount() throws IOException {
        setup().run("mcp-agent");
        String first = admin.passwords.get(mine());
        AgentAccountSetup.Result again = setup().run("mcp-agent");
        assertFalse(again.created());
        assertEquals(List.of("create " + mine(), "setPassword " + mine()), admin.calls);
        assertFalse(first.equals(admin.passwords.get(mine())));
        assertEquals(1, AgentAccountStore.in(dir).accounts().size());
    }

    /** Issue 13 defect 8: setup for a second Windows user no longer resets the first user's account. */
    @Test
    void aSecondWindowsUserGetsAnAccountOfTheirOwn(@TempDir Path otherData) throws IOException {
        setup().run("mcp-agent");
        String firstUsers = mine();
        String firstPassword = admin.passwords.get(firstUsers);
        admin.me = Sid.parse("S-1-5-21-9-9-9-1001");
        admin.signedIn = Optional.of(admin.me);
        new AgentAccountSetup(admin, AgentAccountStore.in(otherData), new SecureRandom(), Clock.systemUTC()).run("mcp-agent");
        assertFalse(firstUsers.equals(mine()));
        assertEquals(firstPassword, admin.passwords.get(firstUsers), "the first user's stored password still works");
    }

    /** Issue 13 defect 8: over-the-shoulder elevation would protect the password for the administrator. */
    @Test
    void overTheShoulderElevationIsRefused() {
        admin.signedIn = Optional.of(Sid.parse("S-1-5-21-9-9-9-1005"));
        ContainmentException e = assertThrows(ContainmentException.class, () -> setup().run("mcp-agent"));
        assertTrue(e.getMessage().contains("is signed in to this session"), e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    void refusesWithoutElevationOrWithABadName() {
        admin.elevated = false;
        ContainmentException e = assertThrows(ContainmentException.class, () -> setup().run("mcp-agent"));
        assertTrue(e.getMessage().contains("Run as administrator"), e.getMessage());
        admin.elevated = true;
        assertThrows(ContainmentException.class, () -> setup().run("Bad Name"));
        assertEquals(List.of(), admin.calls);
    }

    @Test
    void passwordsAreLongAndHaveEveryCharacterClass() {
        for (int i = 0; i < 200; i++) {
            String p = new String(setup().newPassword());
            assertEquals(32, p.length());
            assertTrue(p.chars().anyMatch(Character::isLowerCase) && p.chars().anyMatch(Character::isUpperCase)
                    && p.chars().anyMatch(Character::isDigit)
                    && p.chars().anyMatch(c -> AgentAccountSetup.ALPHABET_SYMBOLS.indexOf(c) >= 0), p);
        }
    }
}
