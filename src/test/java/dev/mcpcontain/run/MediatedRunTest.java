package dev.mcpcontain.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpcontain.audit.SecretRedactor;
import dev.mcpcontain.consent.ConsentException;
import dev.mcpcontain.consent.ConsentStore;
import dev.mcpcontain.run.Launcher;
import dev.mcpcontain.pins.PinStore;
import dev.mcpcontain.pins.ToolPin;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.HostEnvironment;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.PolicyException;
import dev.mcpcontain.policy.RunRequest;
import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.ProfileStore;
import dev.mcpcontain.state.StateFiles;
import dev.mcpcontain.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}'s MCP-aware preparation, on a host described by hand (no process is started). */
class MediatedRunTest {

    @TempDir
    Path temp;

    private HostEnvironment host;
    private Launcher launcher;
    private Path manifest;
    private Path projects;

    @BeforeEach
    void host() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        projects = Files.createDirectories(home.resolve("projects")).toRealPath();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", temp.resolve("config").toString());
        env.put("XDG_DATA_HOME", temp.resolve("data").toString());
        env.put("GITHUB_TOKEN", "ghp_from_the_launcher");
        env.put(MediatedRun.NO_PROMPT_VARIABLE, "1");
        host = new HostEnvironment(env, home, home, 1000, 1000, "ann", false);
        Path profiles = Files.createDirectories(temp.resolve("config/mcp-contain/profiles"));
        Files.writeString(profiles.resolve("guarded.json"), "{\"extends\": \"default\", \"tools\": {\"deny\": [\"write_file\"]}}");
        launcher = new Launcher(host, new ProfileStore(Optional.of(profiles)), folder -> home.resolve(folder.defaultDirectory()));
        manifest = Fixtures.copy(Fixtures.MANIFEST, temp.resolve("bundle"));
    }

    private static McpOptions options(Path manifest, Map<String, List<String>> userConfig, Boolean mediate) {
        return new McpOptions(Optional.ofNullable(manifest), userConfig, Optional.ofNullable(mediate),
                Optional.empty(), false);
    }

    @Test
    void aManifestGivesCommandIdentityAndTheConsentedFoldersAndTurnsMediationOn() throws Exception {
        new ConsentStore(StateFiles.consents(host)).record("secure-filesystem-server", projects,
                ConsentStore.Answer.READ_WRITE, "grants add");
        MediatedRun run = MediatedRun.prepare(launcher, "default", RunRequest.of(List.of()),
                options(manifest, Map.of("allowed_directories", List.of(projects.toString())), null));
        ContainmentPolicy policy = run.policy();
        assertEquals("secure-filesystem-server", policy.serverId());
        assertTrue(policy.command().get(0).endsWith("/node"), policy.command().toString());
        assertEquals(List.of(manifest.getParent().toRealPath() + "/dist/index.js", projects.toString()),
                policy.command().subList(1, 3));
        PathRule consented = policy.paths().stream().filter(r -> r.path().equals(projects)).findFirst().orElseThrow();
        assertEquals(PathRule.Origin.CONSENT, consented.origin());
        assertEquals(Access.READ_WRITE, consented.access());
        assertTrue(run.mediates());
        assertEquals(14, run.settings(null).declared().orElseThrow().tools().size(), "the manifest's tools are the pin");
    }

    @Test
    void withoutATerminalAnUndecidedRequiredFolderRefusesWithTheGrantCommand() {
        ConsentException e = assertThrows(ConsentException.class, () -> MediatedRun.prepare(launcher, "default",
                RunRequest.of(List.of()), options(manifest, Map.of("allowed_directories", List.of(projects.toString())), null)));
        assertEquals("server 'secure-filesystem-server' requires " + projects + " (user_config.allowed_directories) and"
                + " there is no terminal to ask for consent on; grant it once with: mcp-contain grants add"
                + " secure-filesystem-server " + projects + ":ro (or :rw for read-write)", e.getMessage());
    }

    @Test
    void aGrantTheUserWroteCoversTheFolderWithoutConsent() {
        RunRequest request = new RunRequest(List.of(), List.of(dev.mcpcontain.profile.GrantSpec.parse("~/projects:ro")),
                List.of(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        MediatedRun run = MediatedRun.prepare(launcher, "default", request,
                options(manifest, Map.of("allowed_directories", List.of("~/projects")), null));
        PathRule rule = run.policy().paths().stream().filter(r -> r.path().equals(projects)).findFirst().orElseThrow();
        assertEquals(PathRule.Origin.GRANT, rule.origin());
    }

    @Test
    void mediationIsOnWithAPinOrToolRulesAndNoMediateCannotDropToolRules() throws Exception {
        List<String> node = List.of("node", "-e", "0");
        MediatedRun plain = MediatedRun.prepare(launcher, "default", RunRequest.of(node), McpOptions.none());
        assertFalse(plain.mediates(), "no manifest, no pin, no tool rules: exec hand-off as before");
        new PinStore(StateFiles.pins(host)).save(new ToolPin(plain.policy().serverId(), ToolPin.Source.FIRST_USE, "t",
                List.of(new ObjectMapper().readTree("{\"name\":\"x\"}")), null));
        assertTrue(MediatedRun.prepare(launcher, "default", RunRequest.of(node), McpOptions.none()).mediates(),
                "a pinned server stays mediated");
        assertTrue(MediatedRun.prepare(launcher, "guarded", RunRequest.of(List.of("node", "-e", "1")),
                McpOptions.none()).mediates(), "tool rules need the mediator");
        PolicyException refused = assertThrows(PolicyException.class, () -> MediatedRun.prepare(launcher, "guarded",
                RunRequest.of(node), options(null, Map.of(), false)));
        assertEquals(125, refused.exitCode());
        assertTrue(refused.getMessage().contains("only mediation enforces"));
        // Tool approvals (strict asks by annotations) turn mediation on; --no-mediate is the user's explicit choice.
        assertTrue(MediatedRun.prepare(launcher, "strict", RunRequest.of(node), McpOptions.none()).mediates(),
                "approvals need the mediator");
        assertFalse(MediatedRun.prepare(launcher, "strict", RunRequest.of(node), options(null, Map.of(), false))
                .mediates());
        assertThrows(PolicyException.class, () -> MediatedRun.prepare(launcher, "default", RunRequest.of(node),
                options(manifest, Map.of(), null)), "a manifest and a command at once");
        assertThrows(PolicyException.class, () -> MediatedRun.prepare(launcher, "default", RunRequest.of(node),
                options(null, Map.of("a", List.of("b")), null)), "--user-config without a manifest");
    }

    @Test
    void noMediateOverToolApprovalsIsAWarningEveryoneSeesNotOnlyWithVerbose() {
        ContainmentPolicy strict = launcher.resolve("strict", RunRequest.of(List.of("node", "-e", "0")));
        List<String> warnings = new java.util.ArrayList<>();
        List<String> infos = new java.util.ArrayList<>();
        assertFalse(MediationStage.decide(host, strict, false, Optional.of(false), warnings::add, infos::add));
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("tool approvals of profile 'strict'") && warnings.get(0).contains("not enforced"),
                warnings.get(0));
        warnings.clear();
        assertTrue(MediationStage.decide(host, strict, false, Optional.empty(), warnings::add, infos::add));
        assertEquals(List.of(), warnings, "mediated: nothing is dropped, nothing to warn of");
    }

    @Test
    void theAuditRedactorHidesSensitiveValuesOfServerAndLauncher() {
        RunRequest request = new RunRequest(List.of("node", "-e", "0"), List.of(), List.of(), Optional.empty(),
                List.of("API_TOKEN=tok-for-the-server"), Optional.empty(), Optional.empty());
        MediatedRun run = MediatedRun.prepare(launcher, "default", request, options(null, Map.of(), true));
        SecretRedactor redactor = run.settings(null).redactor();
        assertEquals("<redacted:API_TOKEN> <redacted:GITHUB_TOKEN>",
                redactor.redact("tok-for-the-server ghp_from_the_launcher"));
    }
}
