package dev.mcpcontain.pins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static ToolSet tools(String... json) throws Exception {
        List<JsonNode> list = new java.util.ArrayList<>();
        for (String j : json) {
            list.add(JSON.readTree(j));
        }
        return ToolSet.of(list);
    }

    @Test
    void firstUseThenPendingThenApproval() throws Exception {
        PinStore store = new PinStore(temp);
        ToolSet first = tools("{\"name\":\"a\",\"description\":\"A\"}");
        store.recordFirstUse("srv", first);
        assertEquals(ToolPin.Source.FIRST_USE, store.load("srv").orElseThrow().source());
        assertEquals(first.tools(), store.recordFirstUse("srv", tools("{\"name\":\"b\"}")).tools(),
                "first use never overwrites an existing pin");
        ToolSet changed = tools("{\"name\":\"a\",\"description\":\"A!\"}", "{\"name\":\"c\"}");
        store.recordPending("srv", changed, ToolDrift.between(first, changed).summary(), "the pin");
        ToolPin pending = store.load("srv").orElseThrow();
        assertEquals(first.tools(), pending.tools(), "a pending change leaves the pin alone");
        assertEquals("added: c; changed: a (description)", pending.pending().summary());
        store.approvePending("srv");
        ToolPin approved = store.load("srv").orElseThrow();
        assertEquals(ToolPin.Source.APPROVED, approved.source());
        assertEquals(changed.tools(), approved.tools());
        assertEquals(null, approved.pending());
        assertThrows(PinException.class, () -> store.approvePending("srv"));
        assertTrue(store.reset("srv"));
        assertFalse(store.exists("srv"));
    }

    @Test
    void aDamagedPinFileIsAnErrorNamingTheFixNeverAnEmptyPin() throws Exception {
        PinStore store = new PinStore(temp);
        Files.writeString(temp.resolve("srv.json"), "{\"server\":\"srv\",\"tools\":[");
        PinException e = assertThrows(PinException.class, () -> store.load("srv"));
        assertTrue(e.getMessage().contains("mcp-contain pins reset srv"), e.getMessage());
        Files.writeString(temp.resolve("other.json"), "{\"server\":\"srv\",\"source\":\"approved\",\"tools\":[]}");
        assertThrows(PinException.class, () -> store.load("other"), "a file must belong to its server");
    }

    @Test
    void serverIdentitiesCannotEscapeThePinDirectory() {
        PinStore store = new PinStore(temp);
        assertThrows(PinException.class, () -> store.file("../../etc/passwd"));
        assertThrows(PinException.class, () -> store.file("a/b"));
        assertThrows(PinException.class, () -> store.file("a..b"));
    }

    @Test
    void driftNamesAddedRemovedAndChangedMembers() throws Exception {
        ToolSet pinned = tools("{\"name\":\"a\",\"description\":\"A\",\"inputSchema\":{\"type\":\"object\"}}",
                "{\"name\":\"b\"}");
        ToolSet same = tools("{\"inputSchema\":{\"type\":\"object\"},\"description\":\"A\",\"name\":\"a\"}",
                "{\"name\":\"b\"}");
        assertTrue(ToolDrift.between(pinned, same).isEmpty(), "member order does not matter");
        ToolSet listed = tools("{\"name\":\"a\",\"description\":\"A\",\"inputSchema\":{\"type\":\"object\","
                + "\"additionalProperties\":true},\"title\":\"new\"}", "{\"name\":\"c\"}");
        assertEquals("added: c; removed: b; changed: a (inputSchema, title)", ToolDrift.between(pinned, listed).summary());
        assertThrows(IllegalArgumentException.class, () -> tools("{\"name\":\"a\"}", "{\"name\":\"a\"}"));
    }
}
