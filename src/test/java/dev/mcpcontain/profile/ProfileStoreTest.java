package dev.mcpcontain.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileStoreTest {

    @TempDir
    Path dir;

    private final ProfileStore builtIns = new ProfileStore(Optional.empty());

    @Test
    void everyBuiltInLoadsAndIsSecureByDefault() {
        for (String name : ProfileStore.BUILT_IN) {
            ProfileStore.Resolved r = builtIns.resolve(name);
            assertTrue(r.profile().limits().memory().bytes() > 0, name);
            assertTrue(r.profile().limits().processes() > 0, name);
        }
        assertEquals(Profile.Network.NONE, builtIns.resolve("default").profile().network());
        assertEquals(Profile.Network.NONE, builtIns.resolve("strict").profile().network());
        assertEquals(List.of(), builtIns.resolve("strict").profile().grants());
        assertEquals(Profile.Network.HOST, builtIns.resolve("network").profile().network());
        assertEquals(Profile.Network.ALLOW_LIST, builtIns.resolve("npx").profile().network());
        assertEquals(List.of("registry.npmjs.org"), builtIns.resolve("npx").profile().networkAllow());
        assertEquals(Profile.Network.ALLOW_LIST, builtIns.resolve("uvx").profile().network());
        assertEquals(List.of("pypi.org", "files.pythonhosted.org"), builtIns.resolve("uvx").profile().networkAllow());
        assertEquals(Profile.Isolation.REDUCED, builtIns.resolve("reduced").profile().isolation());
        assertTrue(builtIns.resolve("strict").profile().limits().memory().bytes()
                < builtIns.resolve("default").profile().limits().memory().bytes());
    }

    @Test
    void extendsMergesScalarsListsAndMaps() {
        ProfileStore.Resolved npx = builtIns.resolve("npx");
        assertEquals(List.of("profiles/npx.json", "profiles/network.json", "profiles/default.json"), npx.chain());
        Profile p = npx.profile();
        assertEquals(4L << 30, p.limits().memory().bytes(), "child overrides");
        assertEquals(4096, p.limits().openFiles(), "inherited from default");
        assertTrue(p.env().pass().containsAll(List.of("HTTPS_PROXY", "NPM_CONFIG_REGISTRY")), "lists add up");
        assertEquals("false", p.env().set().get("NPM_CONFIG_FUND"));
    }

    @Test
    void userProfileByPathExtendingRelativeFile() throws IOException {
        Files.writeString(dir.resolve("base.json"), "{\"extends\": \"strict\", \"grants\": [\"/tmp:ro\"]}");
        Files.writeString(dir.resolve("mine.json"), "{\"extends\": \"base.json\", \"network\": \"host\"}");
        ProfileStore.Resolved r = builtIns.resolve(dir.resolve("mine.json").toString());
        assertEquals("mine", r.name());
        assertEquals(Profile.Network.HOST, r.profile().network());
        assertEquals(List.of(GrantSpec.parse("/tmp:ro")), r.profile().grants());
        assertEquals(512L << 20, r.profile().limits().memory().bytes());
    }

    @Test
    void allowListsAddUpAlongTheChainAndAStringReplacesThem() throws IOException {
        Files.writeString(dir.resolve("more.json"), "{\"extends\": \"npx\", \"network\": {\"allow\": [\"api.github.com\"]}}");
        Files.writeString(dir.resolve("off.json"), "{\"extends\": \"npx\", \"network\": \"none\"}");
        Profile more = builtIns.resolve(dir.resolve("more.json").toString()).profile();
        assertEquals(List.of("registry.npmjs.org", "api.github.com"), more.networkAllow());
        Profile off = builtIns.resolve(dir.resolve("off.json").toString()).profile();
        assertEquals(Profile.Network.NONE, off.network());
        assertEquals(List.of(), off.networkAllow());
    }

    @Test
    void userDirectoryShadowsBuiltInsAndIsListed() throws IOException {
        Files.writeString(dir.resolve("strict.json"), "{\"description\": \"mine\"}");
        Files.writeString(dir.resolve("extra.json"), "{}");
        ProfileStore store = new ProfileStore(Optional.of(dir));
        assertEquals("mine", store.resolve("strict").profile().description());
        assertTrue(store.names().containsAll(Set.of("extra", "default", "strict")));
    }

    @Test
    void cycleAndMissingAreClearErrors() throws IOException {
        Files.writeString(dir.resolve("a.json"), "{\"extends\": \"b.json\"}");
        Files.writeString(dir.resolve("b.json"), "{\"extends\": \"a.json\"}");
        String cycle = assertThrows(ProfileException.class, () -> builtIns.resolve(dir.resolve("a.json").toString())).getMessage();
        assertTrue(cycle.contains("'extends' forms a cycle"), cycle);
        assertEquals("no profile named 'nope' (known: default, network, npx, reduced, strict, uvx; or give a path to a .json file)",
                assertThrows(ProfileException.class, () -> builtIns.resolve("nope")).getMessage());
        assertEquals("/no/such.json: profile file not found",
                assertThrows(ProfileException.class, () -> builtIns.resolve("/no/such.json")).getMessage());
    }

    /** The shipped JSON Schema and the reader must agree on every field, at every level. */
    @Test
    void schemaDescribesExactlyTheFieldsTheReaderAccepts() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(Path.of("profiles/profile.schema.json").toFile());
        assertEquals(Set.of("$schema", "description", "extends", "isolation", "network", "grants", "env", "limits",
                "tools", "agentUser", "accept"), names(schema.get("properties")));
        assertEquals(Set.of("memory", "processes", "cpus", "cpuSeconds", "openFiles", "fileSize", "tmpSize", "homeSize"),
                names(schema.get("properties").get("limits").get("properties")));
        assertEquals(Set.of("pass", "set", "sensitive"), names(schema.get("properties").get("env").get("properties")));
        assertEquals(Set.of("allow", "deny", "approval", "defaultApproval"),
                names(schema.get("properties").get("tools").get("properties")));
        JsonNode entry = schema.at("/properties/tools/properties/approval/additionalProperties/oneOf/1");
        assertEquals(Set.of("decision", "arguments"), names(entry.get("properties")));
        assertEquals(Set.of("under", "pattern", "enum"),
                names(entry.at("/properties/arguments/additionalProperties/properties")));
        assertEquals(false, schema.get("additionalProperties").asBoolean(true));
        // Each accepted field really is accepted, and one more is refused.
        for (String field : names(schema.get("properties").get("limits").get("properties"))) {
            String value = field.equals("cpus") ? "1.0" : field.endsWith("Size") || field.equals("memory") ? "\"1M\"" : "64";
            ProfileReader.read("x", ("{\"limits\": {\"" + field + "\": " + value + "}}").getBytes());
        }
        assertThrows(ProfileException.class, () -> ProfileReader.read("x", "{\"limits\": {\"swap\": 1}}".getBytes()));
    }

    private static Set<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return new TreeSet<>(names);
    }

    @Test
    void anUnknownParentIsAnErrorOfTheFileThatNamesIt() throws IOException {
        Path child = dir.resolve("child.json");
        Files.writeString(child, "{\"extends\": \"nope\"}");
        String message = assertThrows(ProfileException.class, () -> builtIns.resolve(child.toString())).getMessage();
        assertTrue(message.startsWith(child + ": field 'extends': no profile named 'nope'"), message);
    }

    @Test
    void aProfileFileThatIsHugeOrAFifoIsOneErrorNamingIt() throws Exception {
        Path huge = dir.resolve("huge.json");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that would end in an OutOfMemoryError if read whole
        }
        ProfileException big = assertThrows(ProfileException.class, () -> builtIns.resolve(huge.toString()));
        assertEquals(huge + ": cannot read profile: larger than 1 MiB, too large for what it should hold",
                big.getMessage());
        Path fifo = dir.resolve("fifo.json");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        ProfileException notFile = assertThrows(ProfileException.class, () -> builtIns.resolve(fifo.toString()));
        assertEquals(fifo + ": cannot read profile: not a regular file (a folder, device or fifo)",
                notFile.getMessage());
    }
}
