package dev.mcpcontain.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.approval.Approval;
import dev.mcpcontain.approval.DefaultApproval;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The strict syntax of tools.approval and tools.defaultApproval. */
class ProfileApprovalTest {

    private static Profile read(String json) {
        return ProfileReader.read("p.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsDecisionsGlobsAndArgumentRules() {
        Profile p = read("""
                {"tools": {"defaultApproval": "annotations", "approval": {
                  "read_*": "allow",
                  "move_file": "deny",
                  "write_file": {"decision": "ask", "arguments": {
                     "path": {"under": ["grants", "/srv/data"]},
                     "mode": {"enum": ["a", 1, true]},
                     "name": {"pattern": "[a-z]+"}}}}}}
                """);
        assertEquals(DefaultApproval.ANNOTATIONS, p.tools().defaultApproval());
        assertEquals(List.of("read_*", "move_file", "write_file"), List.copyOf(p.tools().approval().keySet()));
        assertEquals(Approval.DENY, p.tools().approval().get("move_file").decision());
        var write = p.tools().approval().get("write_file");
        assertEquals(Approval.ASK, write.decision());
        assertEquals(List.of("grants", "/srv/data"), write.arguments().get("path").under());
        assertEquals("[a-z]+", write.arguments().get("name").pattern());
        assertEquals(3, write.arguments().get("mode").values().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"tools\": {\"defaultApproval\": \"maybe\"}}|p.json:1: field 'tools.defaultApproval': 'maybe' is not one of allow, ask, annotations",
        "{\"tools\": {\"approval\": {\"x\": \"yes\"}}}|p.json:1: field 'tools.approval.x': 'yes' is not one of allow, ask, deny",
        "{\"tools\": {\"approval\": {\"x\": 1}}}|p.json:1: field 'tools.approval.x': expected \"allow\", \"ask\", \"deny\" or an object {decision, arguments}, got a number",
        "{\"tools\": {\"approval\": {\"x\": {\"arguments\": {}}}}}|p.json:1: field 'tools.approval.x': missing field 'decision' (allow, ask or deny)",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"when\": 1}}}}|p.json:1: field 'tools.approval.x.when': unknown field (known: arguments, decision)",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {\"inside\": []}}}}}}|p.json:1: field 'tools.approval.x.arguments.p.inside': unknown field (known: enum, pattern, under)",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {}}}}}}|p.json:1: field 'tools.approval.x.arguments.p': an argument rule needs under, pattern or enum",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {\"under\": [\"rel/dir\"]}}}}}}|p.json:1: field 'tools.approval.x.arguments.p.under[0]': 'rel/dir' is neither \"grants\" nor an absolute folder without '..'",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {\"under\": [\"/a/../b\"]}}}}}}|p.json:1: field 'tools.approval.x.arguments.p.under[0]': '/a/../b' is neither \"grants\" nor an absolute folder without '..'",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {\"pattern\": \"(\"}}}}}}|p.json:1: field 'tools.approval.x.arguments.p.pattern': not a regular expression: Unclosed group",
        "{\"tools\": {\"approval\": {\"x\": {\"decision\": \"ask\", \"arguments\": {\"p\": {\"enum\": [[1]]}}}}}}|p.json:1: field 'tools.approval.x.arguments.p.enum[0]': expected a string, number, boolean or null",
        "{\"tools\": {\"approval\": {\"x\": \"allow\", \"x\": \"deny\"}}}|p.json:1: field 'tools.approval.x': duplicate field",
    })
    void badApprovalSettingsNameTheFileLineAndField(String json, String expected) {
        assertEquals(expected, assertThrows(ProfileException.class, () -> read(json)).getMessage());
    }

    @Test
    void theBuiltInsAskAsTheIssueSays() {
        ProfileStore store = new ProfileStore(java.util.Optional.empty());
        assertEquals(DefaultApproval.ALLOW, store.resolve("default").profile().tools().defaultApproval());
        assertEquals(DefaultApproval.ANNOTATIONS, store.resolve("strict").profile().tools().defaultApproval());
    }

    @Test
    void aChildsEntriesComeFirstAndReplaceTheParentsOfTheSameName() {
        Profile parent = read("{\"tools\": {\"defaultApproval\": \"ask\", \"approval\": {\"*\": \"deny\", \"a\": \"ask\"}}}");
        Profile child = read("{\"tools\": {\"approval\": {\"a\": \"allow\", \"b*\": \"ask\"}}}");
        Profile merged = ProfileMerger.withDefaults(ProfileMerger.overlay(parent, child));
        assertEquals(List.of("a", "b*", "*"), List.copyOf(merged.tools().approval().keySet()));
        assertEquals(Approval.ALLOW, merged.tools().approval().get("a").decision());
        assertEquals(DefaultApproval.ASK, merged.tools().defaultApproval());
        assertTrue(ProfileMerger.withDefaults(read("{}")).tools().approval().isEmpty());
    }
}
