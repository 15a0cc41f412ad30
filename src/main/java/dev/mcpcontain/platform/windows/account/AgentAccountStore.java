package dev.mcpcontain.platform.windows.account;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent accounts {@code mcp-contain setup} made, in {@code agent-accounts.json} under the data directory. The
 * password is stored only as a DPAPI blob bound to the user who ran setup: the file alone opens nothing.
 */
public final class AgentAccountStore {

    public static final String FILE_NAME = "agent-accounts.json";

    /**
     * @param userName          the Windows account (one per Windows user: {@code <requestedName>-<hash of user SID>})
     * @param protectedPassword base64 of the CryptProtectData blob
     * @param requestedName     the name profiles ask for ({@code agentUser}, e.g. mcp-agent)
     * @param protectedFor      the SID of the user whose DPAPI key protects the password (empty: unknown, older file)
     * @param session           {@link #SERVICES}: servers start through the broker service, in the services session;
     *                          {@link #INTERACTIVE}: with CreateProcessWithLogonW in your own session (setup
     *                          --no-broker, and files written before the broker existed)
     */
    public record Account(String userName, String sid, String protectedPassword, String createdAt, String requestedName,
            String protectedFor, String session) {

        public static final String SERVICES = "services";
        public static final String INTERACTIVE = "interactive";

        @JsonCreator
        public Account(@JsonProperty(value = "userName", required = true) String userName,
                @JsonProperty(value = "sid", required = true) String sid,
                @JsonProperty(value = "protectedPassword", required = true) String protectedPassword,
                @JsonProperty("createdAt") String createdAt,
                @JsonProperty("requestedName") String requestedName,
                @JsonProperty("protectedFor") String protectedFor,
                @JsonProperty("session") String session) {
            this.userName = userName;
            this.sid = sid;
            this.protectedPassword = protectedPassword;
            this.createdAt = createdAt == null ? "" : createdAt;
            this.requestedName = requestedName == null ? userName : requestedName;
            this.protectedFor = protectedFor == null ? "" : protectedFor;
            this.session = session == null ? INTERACTIVE : session;
            if (!this.session.equals(SERVICES) && !this.session.equals(INTERACTIVE)) {
                throw new IllegalArgumentException("session must be '" + SERVICES + "' or '" + INTERACTIVE + "', not '"
                        + session + "'");
            }
        }

        public Account(String userName, String sid, String protectedPassword, String createdAt, String requestedName,
                String protectedFor) {
            this(userName, sid, protectedPassword, createdAt, requestedName, protectedFor, INTERACTIVE);
        }

        /** Whether servers under this account start through the broker, in the services session. */
        public boolean throughBroker() {
            return session.equals(SERVICES);
        }

        public Account(String userName, String sid, String protectedPassword, String createdAt) {
            this(userName, sid, protectedPassword, createdAt, userName, "");
        }
    }

    record Document(@JsonProperty("version") int version, @JsonProperty("accounts") List<Account> accounts) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path file;

    public AgentAccountStore(Path file) {
        this.file = file;
    }

    public static AgentAccountStore in(Path dataDirectory) {
        return new AgentAccountStore(dataDirectory.resolve(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    public List<Account> accounts() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Document doc = JSON.readValue(file.toFile(), Document.class);
            if (doc.version() != 1 || doc.accounts() == null) {
                throw new IOException(file + ": unsupported version " + doc.version());
            }
            return List.copyOf(doc.accounts());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a valid agent account file (" + e.getOriginalMessage() + ")", e);
        }
    }

    public Optional<Account> find(String userName) throws IOException {
        return accounts().stream().filter(a -> a.requestedName().equalsIgnoreCase(userName)
                || a.userName().equalsIgnoreCase(userName)).findFirst();
    }

    public void put(Account account) throws IOException {
        List<Account> all = new ArrayList<>(accounts());
        all.removeIf(a -> a.userName().equalsIgnoreCase(account.userName())
                || a.requestedName().equalsIgnoreCase(account.requestedName()));
        all.add(account);
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), FILE_NAME + ".", ".tmp");
        try {
            JSON.writeValue(temp.toFile(), new Document(1, all));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
