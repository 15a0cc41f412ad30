package dev.mcpcontain.platform.windows.broker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.platform.windows.acl.Sid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which agent account serves which Windows user, written by {@code mcp-contain setup} (elevated) into the broker's
 * folder under ProgramData, which only SYSTEM and Administrators may change. The broker takes the agent from here,
 * for the user it authenticated on the pipe; a request never names the account it runs as.
 */
public final class BrokerRegistrations {

    public static final String FILE_NAME = "agents.json";

    /** @param user the Windows user's SID; @param agentUserName the local account the broker logs on with S4U */
    public record Registration(@JsonProperty("user") String user, @JsonProperty("agentUserName") String agentUserName,
            @JsonProperty("agentSid") String agentSid) {}

    record Document(@JsonProperty("version") int version, @JsonProperty("agents") List<Registration> agents) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path file;

    public BrokerRegistrations(Path file) {
        this.file = file;
    }

    /** {@code <ProgramData>\mcp-contain\broker}: the broker's own folder, protected by setup. */
    public static Path directory(String programData) {
        return Path.of(programData, "mcp-contain", "broker");
    }

    public static BrokerRegistrations in(Path brokerDirectory) {
        return new BrokerRegistrations(brokerDirectory.resolve(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    public List<Registration> all() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Document doc = JSON.readValue(file.toFile(), Document.class);
            if (doc.version() != 1 || doc.agents() == null) {
                throw new IOException(file + ": unsupported version " + doc.version());
            }
            return List.copyOf(doc.agents());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a valid broker registration file (" + e.getOriginalMessage() + ")", e);
        }
    }

    public Optional<Registration> forUser(Sid user) throws IOException {
        return all().stream().filter(r -> Sid.parse(r.user()).equals(user)).findFirst();
    }

    public void put(Registration registration) throws IOException {
        List<Registration> all = new ArrayList<>(all());
        all.removeIf(r -> r.user().equalsIgnoreCase(registration.user()));
        all.add(registration);
        write(all);
    }

    public boolean remove(Sid user) throws IOException {
        List<Registration> all = new ArrayList<>(all());
        boolean removed = all.removeIf(r -> Sid.parse(r.user()).equals(user));
        if (removed) {
            write(all);
        }
        return removed;
    }

    private void write(List<Registration> all) throws IOException {
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
