package dev.mcpcontain.launch;

import java.util.List;

/**
 * What a backend found it can enforce on this host, for {@code mcp-contain check}.
 *
 * @param backend  e.g. {@code linux}
 * @param mode     the mode {@code run} will use with the default profile, or why it cannot run
 * @param ready    whether {@code run --profile default} would start
 * @param features every feature probed, available or not
 */
public record HostCheck(String backend, String mode, boolean ready, List<Feature> features) {

    /**
     * @param name      short key, e.g. {@code user-namespaces}
     * @param available whether it works here (probed, not guessed)
     * @param detail    what was found, e.g. {@code ABI 7}
     * @param fix       how to make it available when it is not; empty otherwise
     */
    public record Feature(String name, boolean available, String detail, String fix) {}
}
