package dev.mcpcontain.platform.windows;

import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Profile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** Policies as PolicyResolver would freeze them, with Windows-looking programs on Linux paths. */
public final class TestPolicies {

    public static final Path HOME = Path.of("/C:/Users/me/AppData/Local/mcp-contain/homes/srv-1");
    public static final String NODE = "/C:/Program Files/nodejs/node.exe";

    private TestPolicies() {}

    public static ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, PathRule... extra) {
        return policy(isolation, network, limits(), extra);
    }

    public static ContainmentPolicy policy(Profile.Isolation isolation, Profile.Network network, ResourceLimits limits,
            PathRule... extra) {
        List<PathRule> paths = new ArrayList<>(List.of(extra));
        paths.add(new PathRule(Path.of("/C:/Program Files/nodejs"), dev.mcpcontain.profile.Access.READ_ONLY,
                PathRule.Origin.PROGRAM, "program node"));
        paths.add(new PathRule(HOME, dev.mcpcontain.profile.Access.READ_WRITE, PathRule.Origin.AGENT_HOME, "home"));
        return new ContainmentPolicy("srv-1", "default", List.of(NODE, "server.js", "--root", "C:\\My Files\\"),
                HOME, Map.of("PATH", "C:\\Windows\\System32", "SYSTEMROOT", "C:\\Windows", "API_TOKEN", "secret"),
                Set.of("API_TOKEN"), paths, isolation, network, limits, HOME, "mcp-agent", List.of(), List.of());
    }

    public static ResourceLimits limits() {
        return new ResourceLimits(2L << 30, 512, OptionalDouble.empty(), OptionalInt.empty(), 4096, 1L << 30, 256L << 20);
    }

    public static PathRule grant(String path, dev.mcpcontain.profile.Access access) {
        return new PathRule(Path.of(path), access, PathRule.Origin.GRANT, "--grant " + path);
    }
}
