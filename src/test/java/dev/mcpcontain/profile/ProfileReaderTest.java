package dev.mcpcontain.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileReaderTest {

    private static Profile read(String json) {
        return ProfileReader.read("p.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(ProfileException.class, () -> read(json)).getMessage();
    }

    @Test
    void readsEveryField() {
        Profile p = read("""
                {"$schema": "./profile.schema.json", "description": "d", "extends": "default",
                 "isolation": "landlock", "network": "host", "grants": ["documents:rw", "/srv/data"],
                 "env": {"pass": ["FOO"], "set": {"A": "1"}, "sensitive": ["A"]},
                 "limits": {"memory": "1G", "processes": 10, "cpus": 1.5, "cpuSeconds": 60, "openFiles": 64,
                            "fileSize": 1048576, "tmpSize": "64M"},
                 "tools": {"allow": ["read"], "deny": ["write"]}, "agentUser": "mcp-agent"}
                """);
        assertEquals(Profile.Isolation.LANDLOCK, p.isolation());
        assertEquals(Profile.Network.HOST, p.network());
        assertEquals(List.of(GrantSpec.parse("documents:rw"), GrantSpec.parse("/srv/data:ro")), p.grants());
        assertEquals(1L << 30, p.limits().memory().bytes());
        assertEquals(1.5, p.limits().cpus());
        assertEquals(1048576, p.limits().fileSize().bytes());
        assertEquals(List.of("write"), p.tools().deny());
        assertEquals("1", p.env().set().get("A"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top field  | {\\n\"netwrk\": \"none\"}                  | p.json:2: field 'netwrk': unknown field (known: $schema, accept, agentUser, description, env, extends, grants, isolation, limits, network, tools)",
        "unknown nested     | {\"limits\": {\\n\\n\"memry\": \"1G\"}}       | p.json:3: field 'limits.memry': unknown field (known: cpuSeconds, cpus, fileSize, homeSize, memory, openFiles, processes, tmpSize)",
        "bad enum           | {\"network\": \"internet\"}                 | p.json:1: field 'network': 'internet' is not one of none, host (or {\"allow\": [HOST, ...]})",
        "bad allow entry    | {\"network\": {\"allow\": [\"x.com\", \"https://y.com\"]}} | p.json:1: field 'network.allow[1]': 'https://y.com': write a host, not a URL (for example api.github.com or api.github.com:8443)",
        "unknown net field  | {\"network\": {\"deny\": []}}         | p.json:1: field 'network.deny': unknown field (known: allow)",
        "number for network | {\"network\": 1}                         | p.json:1: field 'network': expected \"none\", \"host\" or {\"allow\": [HOST, ...]}, got a number",
        "bad size           | {\"limits\": {\"memory\": \"lots\"}}         | p.json:1: field 'limits.memory': 'lots' is not a size (examples: 65536, 512K, 256M, 2G)",
        "string for int     | {\"limits\": {\"processes\": \"10\"}}        | p.json:1: field 'limits.processes': expected a whole number, got a string",
        "float for int      | {\"limits\": {\"processes\": 1.5}}         | p.json:1: field 'limits.processes': expected a whole number, got a number",
        "too few files      | {\"limits\": {\"openFiles\": 3}}            | p.json:1: field 'limits.openFiles': must be at least 16, got 3",
        "bad grant          | {\"grants\": [\"documents\", \"documets\"]}  | p.json:1: field 'grants[1]': grant 'documets': 'documets' is not a known folder (documents, downloads, desktop, pictures, music, videos) and not a path (paths start with /, ~/ or ./)",
        "bad grant access   | {\"grants\": [\"music:rx\"]}               | p.json:1: field 'grants[0]': grant 'music:rx': bad access 'rx' (expected :ro or :rw, optionally with ,follow or ,unprotected)",
        "duplicate          | {\"network\": \"none\", \"network\": \"host\"} | p.json:1: field 'network': duplicate field",
        "null value         | {\"description\": null}                  | p.json:1: field 'description': expected a string, got null",
        "not an object      | [1]                                     | p.json:1: a profile is a JSON object",
        "trailing           | {} {}                                   | p.json:1: unexpected content after the profile's closing brace",
        "bad env name       | {\"env\": {\"pass\": [\"A-B\"]}}           | p.json:1: field 'env.pass[0]': 'A-B' is not a variable name",
        "bad agent          | {\"agentUser\": \"Root!\"}                | p.json:1: field 'agentUser': 'Root!' is not a user name",
        "unknown weakness   | {\"accept\": [\"landlock-stat\"]}        | p.json:1: field 'accept[0]': unknown weakness 'landlock-stat' (known: landlock-device-nodes, landlock-host-pids, landlock-stat-metadata)",
        "closed weakness    | {\"accept\": [\"landlock-terminals\"]}   | p.json:1: field 'accept[0]': 'landlock-terminals' is closed, there is nothing to accept",
        "twice              | {\"accept\": [\"landlock-host-pids\", \"landlock-host-pids\"]} | p.json:1: field 'accept[1]': 'landlock-host-pids' is listed twice",
        "accept not a list  | {\"accept\": \"landlock-host-pids\"}      | p.json:1: field 'accept': expected an array, got a string",
    })
    void rejectsWithFileLineAndField(String name, String json, String expected) {
        assertEquals(expected, error(json.replace("\\n", "\n")));
    }

    @Test
    void readsAnAllowList() {
        Profile p = read("{\"network\": {\"allow\": [\"API.github.com\", \"*.npmjs.org\", \"[::1]:8080\"]}}");
        assertEquals(Profile.Network.ALLOW_LIST, p.network());
        assertEquals(List.of("api.github.com", "*.npmjs.org", "[::1]:8080"), p.networkAllow());
    }

    @Test
    void brokenJsonNamesTheLine() {
        String message = error("{\n\"network\": \"none\",\n}");
        assertEquals(true, message.startsWith("p.json:3: not valid JSON: "), message);
    }

    @Test
    void brokenJsonSpeaksPlainlyWithoutJacksonInternals() {
        for (String json : new String[] {"{\n\"network\": \"none\",\n}", "{\"a\": x}", "{\"limits\": {", "[1,"}) {
            String message = error(json);
            for (String internal : new String[] {"Source", "REDACTED", "JsonToken", "(code ", "com.fasterxml", "`"}) {
                assertEquals(false, message.contains(internal), json + " -> " + message);
            }
            assertEquals(1, message.lines().count(), message);
        }
    }
}
