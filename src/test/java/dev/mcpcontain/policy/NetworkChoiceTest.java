package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.Profile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkChoiceTest {

    private static Profile profile(Profile.Network network, List<String> allow) {
        return new Profile(null, "", null, Profile.Isolation.FULL, network, List.of(), null, null, null, null, allow);
    }

    private static RunRequest request(Optional<Profile.Network> network, List<String> allowHosts) {
        return new RunRequest(List.of("/bin/true"), List.of(), List.of(), network, List.of(), Optional.empty(),
                Optional.empty(), allowHosts);
    }

    @Test
    void allowHostWithNetworkIsRefusedWith125() {
        for (Profile.Network n : new Profile.Network[] {Profile.Network.HOST, Profile.Network.NONE}) {
            PolicyException e = assertThrows(PolicyException.class, () -> NetworkChoice.of("default",
                    profile(Profile.Network.NONE, null), request(Optional.of(n), List.of("a.test"))));
            assertEquals(125, e.exitCode());
            assertTrue(e.getMessage().startsWith("--allow-host cannot be combined with --network"), e.getMessage());
        }
    }

    @Test
    void allowHostTurnsAnyProfileIntoAnAllowListAndAddsToTheProfiles() {
        NetworkChoice fromHost = NetworkChoice.of("network", profile(Profile.Network.HOST, null),
                request(Optional.empty(), List.of("a.test")));
        assertEquals(Profile.Network.ALLOW_LIST, fromHost.mode());
        assertEquals("a.test", fromHost.allowList().toString());
        NetworkChoice added = NetworkChoice.of("npx", profile(Profile.Network.ALLOW_LIST, List.of("registry.npmjs.org")),
                request(Optional.empty(), List.of("A.test", "registry.npmjs.org")));
        assertEquals("registry.npmjs.org a.test", added.allowList().toString());
    }

    @Test
    void networkOverridesAProfilesAllowList() {
        NetworkChoice none = NetworkChoice.of("npx", profile(Profile.Network.ALLOW_LIST, List.of("registry.npmjs.org")),
                request(Optional.of(Profile.Network.NONE), List.of()));
        assertEquals(Profile.Network.NONE, none.mode());
        assertTrue(none.allowList().entries().isEmpty());
    }

    @Test
    void aBadEntryNamesTheFlag() {
        PolicyException e = assertThrows(PolicyException.class, () -> NetworkChoice.of("default",
                profile(Profile.Network.NONE, null), request(Optional.empty(), List.of("http://x.test"))));
        assertEquals(125, e.exitCode());
        assertTrue(e.getMessage().startsWith("--allow-host 'http://x.test': write a host"), e.getMessage());
    }

    @Test
    void anEmptyProfileAllowListIsRefused() {
        assertThrows(PolicyException.class, () -> NetworkChoice.of("mine", profile(Profile.Network.ALLOW_LIST, List.of()),
                request(Optional.empty(), List.of())));
    }
}
