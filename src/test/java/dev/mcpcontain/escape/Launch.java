package dev.mcpcontain.escape;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code mcp-contain run} by an identity: {@code [outer...] [runuser -u USER --] [inner...] mcp-contain run
 * --name UNIQUE --profile P OPTIONS -- SERVER...}. Outer wrappers give the launcher a terminal (with-tty); inner
 * ones run as the launching user (a shell that opens extra descriptors before exec'ing the launcher).
 */
final class Launch {

    private final EscapeSuite suite;
    private final Identity identity;
    private final String name;
    private final List<String> options = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> outer = new ArrayList<>();
    private final List<String> inner = new ArrayList<>();
    private String profile = EscapeSuite.DEFAULT_PROFILE;
    private List<String> server = List.of();
    private List<String> labels = List.of();
    private Duration timeout = EscapeSuite.DEFAULT_TIMEOUT;
    private boolean named = true;

    Launch(EscapeSuite suite, Identity identity, String name) {
        this.suite = suite;
        this.identity = identity;
        this.name = name;
    }

    String name() {
        return name;
    }

    /**
     * Without {@code --name}: the launcher derives the server's identity (and agent home) from the command itself.
     * The test must hand the derived name to {@link EscapeSuite#ownServerName} so its home is removed at the end.
     */
    Launch unnamed() {
        this.named = false;
        return this;
    }

    Launch profile(String profile) {
        this.profile = profile;
        return this;
    }

    /** {@code --isolation landlock} with a profile that accepts its open weaknesses (refused otherwise). */
    Launch landlockAccepting() {
        profile(suite.landlockAcceptingProfile(identity).toString());
        return options.contains("--isolation") ? this : option("--isolation", "landlock");
    }

    /** {@code --isolation MODE}; landlock with the accepting profile. */
    Launch isolation(String mode) {
        return mode.equals("landlock") ? landlockAccepting() : option("--isolation", mode);
    }

    Launch option(String... words) {
        options.addAll(List.of(words));
        return this;
    }

    Launch grant(java.nio.file.Path path, String access) {
        return option("--grant", path + ":" + access);
    }

    Launch env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Launch outerWrapper(String... words) {
        outer.addAll(List.of(words));
        return this;
    }

    Launch innerWrapper(String... words) {
        inner.addAll(List.of(words));
        return this;
    }

    Launch timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** The probe as the server, running STEPS. */
    Launch probe(Steps steps) {
        List<String> command = new ArrayList<>();
        command.add(suite.probe().toString());
        command.addAll(steps.arguments());
        this.server = command;
        this.labels = steps.labels();
        return this;
    }

    /** The probe as the server, running one run-mode command (exit, sleep, daemon, ...). */
    Launch probeCommand(Object... words) {
        List<String> command = new ArrayList<>();
        command.add(suite.probe().toString());
        for (Object w : words) {
            command.add(String.valueOf(w));
        }
        this.server = command;
        return this;
    }

    Launch server(String... command) {
        this.server = List.of(command);
        return this;
    }

    List<String> labels() {
        return labels;
    }

    List<String> command() {
        return command(false);
    }

    private List<String> command(boolean dryRun) {
        List<String> run = new ArrayList<>(inner);
        run.add(suite.launcher().toString());
        run.add("run");
        if (dryRun) {
            run.add("--dry-run");
        }
        if (named) {
            run.add("--name");
            run.add(name);
        }
        run.add("--profile");
        run.add(profile);
        run.addAll(options);
        if (!options.contains("--mediate")) {
            // The probes are not MCP servers: their lines must not meet the relay (strict's tool approvals would
            // otherwise turn mediation on).
            run.add("--no-mediate");
        }
        run.add("--");
        run.addAll(server);
        List<String> full = new ArrayList<>(outer);
        full.addAll(identity.launch(run));
        return full;
    }

    /** The launcher's own words (inner wrappers, mcp-contain run ...), without the identity or outer wrappers. */
    List<String> runCommand() {
        List<String> full = command(false);
        List<String> withIdentity = full.subList(outer.size(), full.size());
        return List.copyOf(withIdentity.subList(identity.launchAs().size(), withIdentity.size()));
    }

    RunResult run() {
        return suite.exec("contained as " + identity, command(), env, timeout);
    }

    Running start() {
        return suite.start("contained as " + identity, command(), env);
    }

    /** {@code run --dry-run} with the same options: the plan the launcher would carry out. */
    DryRun dryRun() {
        List<String> full = command(true);
        RunResult result = suite.exec("dry run as " + identity, full.subList(outer.size(), full.size()), env, timeout);
        return new DryRun(result);
    }
}
