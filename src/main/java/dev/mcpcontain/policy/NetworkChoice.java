package dev.mcpcontain.policy;

import dev.mcpcontain.network.AllowList;
import dev.mcpcontain.profile.Profile;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's network from the profile and the command line. {@code --allow-host} adds to the profile's
 * allow-list (or replaces its none/host with one); {@code --network} replaces the profile's choice; both at once
 * contradict each other and are refused.
 */
record NetworkChoice(Profile.Network mode, AllowList allowList) {

    static NetworkChoice of(String profileName, Profile profile, RunRequest request) {
        if (!request.allowHosts().isEmpty() && request.network().isPresent()) {
            throw PolicyException.refused("--allow-host cannot be combined with --network "
                    + request.network().get().name().toLowerCase(java.util.Locale.ROOT) + ": --allow-host already means"
                    + " 'only these hosts, through the filtering proxy'; drop --network");
        }
        if (request.network().isPresent()) {
            return new NetworkChoice(request.network().get(), new AllowList(List.of()));
        }
        List<String> specs = new ArrayList<>();
        if (profile.network() == Profile.Network.ALLOW_LIST && profile.networkAllow() != null) {
            specs.addAll(profile.networkAllow());
        }
        for (String s : request.allowHosts()) {
            try {
                specs.add(dev.mcpcontain.network.HostSpec.parse(s).toString());
            } catch (IllegalArgumentException e) {
                throw PolicyException.refused("--allow-host " + e.getMessage());
            }
        }
        if (!request.allowHosts().isEmpty() || profile.network() == Profile.Network.ALLOW_LIST) {
            if (specs.isEmpty()) {
                throw PolicyException.refused("profile " + profileName + ": network.allow is empty; use \"network\":"
                        + " \"none\" for no network");
            }
            return new NetworkChoice(Profile.Network.ALLOW_LIST, AllowList.parse(specs));
        }
        return new NetworkChoice(profile.network(), new AllowList(List.of()));
    }
}
