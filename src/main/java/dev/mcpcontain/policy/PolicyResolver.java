package dev.mcpcontain.policy;

import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.GrantSpec;
import dev.mcpcontain.profile.Profile;
import dev.mcpcontain.profile.ProfileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Profile + request + host facts → one frozen {@link ContainmentPolicy}. All checks of user input happen here,
 * before anything is started: a grant that does not exist, a program that is not there, an unknown variable.
 */
public final class PolicyResolver {

    private final HostEnvironment host;
    private final KnownFolderResolver knownFolders;

    public PolicyResolver(HostEnvironment host, KnownFolderResolver knownFolders) {
        this.host = host;
        this.knownFolders = knownFolders;
    }

    public ContainmentPolicy resolve(ProfileStore.Resolved resolved, RunRequest request) {
        Profile profile = resolved.profile();
        if (request.command().isEmpty()) {
            throw PolicyException.refused("no server command given (usage: mcp-contain run [OPTIONS] [--] COMMAND [ARG...])");
        }
        List<String> command = new ArrayList<>(request.command());
        ProgramLocator.Located program = ProgramLocator.forHost(host)
                .locate(command, host.workingDirectory());
        command.set(0, program.executable().toString());

        String serverId = request.serverName().isPresent() ? ServerIdentity.validated(request.serverName().get())
                : ServerIdentity.of(request.command(), program.mainPath(), program.mainIsScript());
        Path agentHome = host.dataDirectory().resolve("homes").resolve(serverId);

        Map<Path, PathRule> rules = new LinkedHashMap<>();
        unprotectedGrants.clear();
        writableSpecs.clear();
        socketGrants.clear();
        grantSpecs.clear();
        mounts = null; // what the host looks like is read again for each resolution
        guardedPlaces = null;
        hostHomes = null;
        for (GrantSpec grant : profile.grants()) {
            addGrant(rules, grant, PathRule.Origin.GRANT, "profile " + resolved.name(), false);
        }
        for (GrantSpec grant : request.grants()) {
            addGrant(rules, grant, PathRule.Origin.GRANT, "--grant", true);
        }
        for (GrantSpec grant : request.consented()) {
            addGrant(rules, grant, PathRule.Origin.CONSENT, "consent", true);
        }
        for (Map.Entry<Path, String> readable : program.readablePaths().entrySet()) {
            rules.putIfAbsent(readable.getKey(), new PathRule(readable.getKey(), Access.READ_ONLY, PathRule.Origin.PROGRAM,
                    readable.getValue()));
        }
        rules.put(agentHome, new PathRule(agentHome, Access.READ_WRITE, PathRule.Origin.AGENT_HOME,
                "persistent home of " + serverId));
        Profile.Isolation isolation = request.isolation().orElse(profile.isolation());
        if (isolation != Profile.Isolation.REDUCED) {
            protectInsideWritable(rules);
        }
        if (isolation == Profile.Isolation.FULL && !host.windows()) {
            // (landlock isolation refuses socket(AF_UNIX) altogether; reduced has the host's sockets anyway)
            Map<Path, List<Path>> listening = null;
            for (Map.Entry<Path, String[]> grant : grantSpecs.entrySet()) {
                if (socketGrants.contains(grant.getKey())) {
                    continue;
                }
                if (listening == null) {
                    listening = GrantPaths.listeningSockets();
                    // mcp-contain's own state is hidden inside any grant (its egress proxies listen there)
                    listening.keySet().removeIf(dir -> ownState().stream().anyMatch(dir::startsWith));
                }
                GrantPaths.refuseSockets(grant.getKey(), grant.getValue()[0], grant.getValue()[1], listening);
            }
        }
        Map<String, String> environment = new java.util.TreeMap<>(
                EnvironmentFilter.build(host, profile.env(), request.env(), agentHome.toString()));
        if (isolation == Profile.Isolation.LANDLOCK && !host.windows()) {
            // No private /tmp without a mount namespace: the server's temporary files live in its own home.
            environment.put("TMPDIR", agentHome.resolve("tmp").toString());
        }
        Path cwd = visibleWorkingDirectory(rules.values(), agentHome, isolation);
        NetworkChoice network = NetworkChoice.of(resolved.name(), profile, request);

        return new ContainmentPolicy(
                serverId,
                resolved.name(),
                command,
                cwd,
                environment,
                EnvironmentFilter.sensitive(profile.env(), request.env()),
                new ArrayList<>(rules.values()),
                isolation,
                network.mode(),
                limits(profile.limits()),
                agentHome,
                profile.agentUser(),
                profile.tools().allow(),
                profile.tools().deny(),
                network.allowList(),
                new java.util.TreeSet<>(profile.accept()),
                new dev.mcpcontain.approval.ApprovalRules(profile.tools().approval(), profile.tools().defaultApproval()));
    }

    private void addGrant(Map<Path, PathRule> rules, GrantSpec grant, PathRule.Origin origin, String from,
            boolean relativeAllowed) {
        Path path;
        String described;
        if (grant.folder().isPresent()) {
            path = knownFolders.resolve(grant.folder().get());
            described = grant.folder().get().grantName() + " (" + path + ")";
        } else {
            String text = grant.path().orElseThrow();
            if (text.equals("~") || text.startsWith("~/")) {
                path = host.home().resolve(text.length() <= 2 ? "" : text.substring(2));
            } else if (text.startsWith("/")) {
                path = Path.of(text);
            } else if (relativeAllowed) {
                path = host.workingDirectory().resolve(text);
            } else {
                throw PolicyException.refused(from + ": grant '" + grant + "': relative paths are only allowed on"
                        + " the command line; write an absolute path or ~/...");
            }
            described = text;
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw PolicyException.refused(from + ": grant '" + grant + "': " + described + " does not exist"
                    + " (create it or remove the grant)");
        }
        String spec = from + " '" + grant + "'";
        if (!host.windows() && !grant.follow()) {
            GrantPaths.refuseSymlinks(path.toAbsolutePath().normalize(), real, spec);
        }
        if (real.getParent() == null) {
            throw PolicyException.refused(from + ": grant '" + grant + "' would expose the whole filesystem");
        }
        if (!Files.isDirectory(real) && !Files.isRegularFile(real)) {
            throw PolicyException.refused(from + ": grant '" + grant + "': " + real + " is not a folder or file");
        }
        Optional<PathRule.FileKey> key = Optional.empty();
        if (!host.windows()) {
            GrantPaths.refuseSystem(real, spec, ownState());
            GrantPaths.refuseAliases(real, spec, guardedPlaces(), mounts());
            key = Optional.of(GrantPaths.key(real));
        }
        if (grant.sockets()) {
            socketGrants.add(real);
        }
        grantSpecs.putIfAbsent(real, new String[] {spec, new GrantSpec(grant.folder(), grant.path(), grant.access(),
                grant.follow(), grant.unprotected(), true).toString()});
        PathRule existing = rules.get(real);
        Access access = existing != null && existing.writable() ? Access.READ_WRITE : grant.access();
        rules.put(real, new PathRule(real, access, origin, from + " " + grant, key));
        if (grant.access() == Access.READ_WRITE) {
            if (grant.unprotected()) {
                unprotectedGrants.add(real);
            }
            writableSpecs.putIfAbsent(real, new String[] {spec, new GrantSpec(grant.folder(), grant.path(),
                    Access.READ_WRITE, grant.follow(), true).toString()});
        }
    }

    /** The reason of a writable rule that only pins a folder inside a grant: it takes that grant's protection. */
    public static final String PINNED_INSIDE = "pinned (cannot be renamed) inside writable ";

    private final java.util.Set<Path> unprotectedGrants = new java.util.HashSet<>();
    /** Grants that accept the unix sockets of running programs in them ({@code ,sockets}). */
    private final java.util.Set<Path> socketGrants = new java.util.HashSet<>();
    /** For each grant: how the user wrote it, and its ',sockets' spelling, for messages. */
    private final Map<Path, String[]> grantSpecs = new LinkedHashMap<>();
    /** For each writable grant: how the user wrote it, and its opt-in spelling, for messages. */
    private final Map<Path, String[]> writableSpecs = new LinkedHashMap<>();

    private boolean unprotected(PathRule rule) {
        return unprotectedGrants.contains(rule.path());
    }

    private List<GrantPaths.Mount> mounts;
    private List<Path> guardedPlaces;
    private List<Path> hostHomes;

    /** Every account's home (reads /etc/passwd), once per launch: the alias check and the grant guard both ask. */
    private List<Path> hostHomes() {
        if (hostHomes == null) {
            hostHomes = List.copyOf(GrantGuard.hostHomes(host.home(), Path.of("/etc/passwd")));
        }
        return hostHomes;
    }

    /** The host's mounts, read once per launch. */
    private List<GrantPaths.Mount> mounts() {
        if (mounts == null) {
            mounts = GrantPaths.mounts();
        }
        return mounts;
    }

    /** What no grant may reach under another name: system directories, every home, mcp-contain's own state. */
    private List<Path> guardedPlaces() {
        if (guardedPlaces == null) {
            List<Path> places = new ArrayList<>();
            GrantPaths.SYSTEM_DIRECTORIES.forEach(d -> places.add(Path.of(d)));
            places.addAll(hostHomes());
            places.addAll(ownState());
            guardedPlaces = List.copyOf(places);
        }
        return guardedPlaces;
    }

    /** mcp-contain's own state and configuration: never granted, hidden inside grants that hold them. */
    private List<Path> ownState() {
        return List.of(host.configDirectory(), host.dataDirectory(), Path.of("/etc/mcp-contain"),
                Path.of("/var/lib/mcp-contain"));
    }

    private void protectInsideWritable(Map<Path, PathRule> rules) {
        if (host.windows()) {
            return;
        }
        List<PathRule> writable = new ArrayList<>();
        for (PathRule rule : rules.values()) {
            if (rule.writable() && rule.userFolder()) {
                writable.add(rule);
            }
        }
        if (writable.isEmpty()) {
            return;
        }
        GrantGuard guard = new GrantGuard(hostHomes(), host.uid(),
                GrantGuard.commandPath(host.variable("PATH").orElse(null)));
        for (PathRule grant : writable) {
            String[] spec = writableSpecs.getOrDefault(grant.path(), new String[] {grant.reason(), grant.path() + ":rw,unprotected"});
            GrantGuard.Pins pins = guard.check(grant.path(), unprotected(grant), spec[0], spec[1]);
            for (Path inside : pins.readOnly()) {
                rules.putIfAbsent(inside, new PathRule(inside, Access.READ_ONLY, grant.origin(),
                        "kept read-only inside writable " + grant.path(), Optional.of(GrantPaths.key(inside))));
            }
            for (Path dir : pins.pinnedDirs()) {
                rules.putIfAbsent(dir, new PathRule(dir, Access.READ_WRITE, grant.origin(),
                        PINNED_INSIDE + grant.path(), Optional.of(GrantPaths.key(dir))));
            }
        }
    }

    /** The host's working directory if the server can see it, else its home: never a hidden directory. */
    private Path visibleWorkingDirectory(Iterable<PathRule> rules, Path agentHome, Profile.Isolation isolation) {
        Path cwd = host.workingDirectory();
        if (isolation == Profile.Isolation.REDUCED) {
            return cwd;
        }
        for (PathRule rule : rules) {
            if (rule.origin() != PathRule.Origin.PROGRAM && cwd.startsWith(rule.path())) {
                return cwd;
            }
        }
        return agentHome;
    }

    private static ResourceLimits limits(Profile.Limits l) {
        return new ResourceLimits(
                l.memory().bytes(),
                l.processes(),
                l.cpus() == null ? OptionalDouble.empty() : OptionalDouble.of(l.cpus()),
                l.cpuSeconds() == null ? OptionalInt.empty() : OptionalInt.of(l.cpuSeconds()),
                l.openFiles(),
                l.fileSize().bytes(),
                l.tmpSize().bytes(),
                l.homeSize().bytes());
    }
}
