package dev.mcpcontain.mediation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgumentValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> check(String schema, String arguments) throws Exception {
        return ArgumentValidator.validate(JSON.readTree(schema), JSON.readTree(arguments));
    }

    /** server-filesystem's schemas as captured in the fixture manifest (zod 3: additionalProperties false). */
    private static JsonNode fixtureSchema(String tool) {
        return Fixtures.manifestTool(tool).get("inputSchema");
    }

    @Test
    void realSchemasFromTheFixtureManifest() throws Exception {
        JsonNode edit = fixtureSchema("edit_file");
        assertEquals(List.of(), ArgumentValidator.validate(edit, JSON.readTree(
                "{\"path\":\"/a\",\"edits\":[{\"oldText\":\"x\",\"newText\":\"y\"}],\"dryRun\":true}")));
        assertEquals(List.of("arguments.edits[0]: unexpected field 'mode' (the tool declares: oldText, newText)"),
                ArgumentValidator.validate(edit, JSON.readTree(
                        "{\"path\":\"/a\",\"edits\":[{\"oldText\":\"x\",\"newText\":\"y\",\"mode\":\"sudo\"}]}")));
        assertEquals(List.of("arguments: missing required field 'edits'", "arguments.path: expected string, got integer"),
                ArgumentValidator.validate(edit, JSON.readTree("{\"path\":3}")));
        JsonNode read = fixtureSchema("read_text_file");
        assertEquals(List.of("arguments.head: expected number, got string"),
                ArgumentValidator.validate(read, JSON.readTree("{\"path\":\"/a\",\"head\":\"10\"}")));
    }

    @Test
    void typesIncludingIntegerAndUnions() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"},\"u\":{\"type\":[\"string\",\"null\"]}}}";
        assertEquals(List.of(), check(schema, "{\"n\":3,\"u\":null}"));
        assertEquals(List.of(), check(schema, "{\"n\":3.0,\"u\":\"x\"}"), "3.0 is an integer in JSON Schema");
        assertEquals(List.of("arguments.n: expected integer, got number", "arguments.u: expected string or null, got boolean"),
                check(schema, "{\"n\":3.5,\"u\":true}"));
        assertEquals(List.of("arguments: expected object, got array"), check(schema, "[]"));
    }

    @Test
    void undeclaredMembersAreRejectedUnlessTheSchemaOpensThem() throws Exception {
        String declared = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
        assertEquals(List.of("arguments: unexpected field 'b' (the tool declares: a)"), check(declared, "{\"a\":\"x\",\"b\":1}"));
        assertEquals(List.of(), check("{\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":true}",
                "{\"b\":1}"));
        assertEquals(List.of("arguments.b: expected number, got string"),
                check("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":{\"type\":\"number\"}}", "{\"b\":\"x\"}"));
        assertEquals(List.of(), check("{\"type\":\"object\"}", "{\"anything\":[1,2]}"), "a free-form object stays free");
        assertEquals(List.of(), check("{\"type\":\"object\",\"properties\":{},\"patternProperties\":{\"^x\":{}}}",
                "{\"xy\":1}"));
    }

    @Test
    void enumsBoundsCombinatorsAndLocalReferences() throws Exception {
        assertEquals(List.of("arguments.c: \"Paris\" is not one of [\"New York\",\"Chicago\"]"),
                check("{\"properties\":{\"c\":{\"enum\":[\"New York\",\"Chicago\"]}}}", "{\"c\":\"Paris\"}"));
        assertEquals(List.of("arguments.count: 11 is above the maximum 10"),
                check("{\"properties\":{\"count\":{\"type\":\"number\",\"minimum\":1,\"maximum\":10}}}", "{\"count\":11}"));
        assertEquals(List.of("arguments.list: has 0 items, at least 1 allowed"),
                check("{\"properties\":{\"list\":{\"type\":\"array\",\"minItems\":1}}}", "{\"list\":[]}"));
        String anyOf = "{\"properties\":{\"v\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}}}";
        assertEquals(List.of(), check(anyOf, "{\"v\":1}"));
        assertEquals(List.of("arguments.v: matches none of the anyOf alternatives"), check(anyOf, "{\"v\":true}"));
        String ref = "{\"type\":\"object\",\"properties\":{\"e\":{\"$ref\":\"#/$defs/entity\"}},"
                + "\"$defs\":{\"entity\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}}}";
        assertEquals(List.of("arguments.e: missing required field 'name'"), check(ref, "{\"e\":{}}"));
        assertEquals(List.of(), check("{\"properties\":{\"p\":{\"type\":\"string\",\"format\":\"uri\",\"pattern\":\"^x\"}}}",
                "{\"p\":\"not checked here\"}"), "what the relay cannot judge is left to the server");
    }
}
