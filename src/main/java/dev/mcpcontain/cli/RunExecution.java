package dev.mcpcontain.cli;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ExecHandoff;
import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.launch.Launcher;
import dev.mcpcontain.mediation.MediatedRun;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.RunRequest;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.mcpcontain.network.EgressProxy;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code run} does once its options are known: resolve the policy, plan, prepare, then relay (mediation),
 * hand the plan to the launcher script (which execs the native supervisor: no JVM stays resident), or supervise
 * from here.
 * Writes nothing to stdout except the report of {@code --dry-run}, which starts nothing.
 */
final class RunExecution {

    private RunExecution() {}

    static int execute(RunOptions options, PrintWriter out) throws Exception {
        Launcher launcher = Launcher.forCurrentUser();
        RunRequest request = new RunRequest(options.command(), options.grants(), List.of(), options.network(),
                options.env(), options.name(), options.isolation(), options.allowHosts());
        // Manifest, consent and the mediation decision; without a manifest this is launcher.resolve.
        MediatedRun mediated = MediatedRun.prepare(launcher, options.profile(), request, options.mcp());
        ContainmentPolicy policy = mediated.policy();
        ContainmentBackend backend = launcher.backend();
        LaunchPlan plan = backend.plan(policy);
        if (options.dryRun()) {
            DryRunReport.print(plan, out);
            return ExitCodes.OK;
        }
        // SLF4J is only initialised when there is something to say: most launches have nothing to log.
        if (!plan.warnings().isEmpty() || Integer.getInteger(Logging.VERBOSITY_PROPERTY, 0) > 0) {
            Logger log = LoggerFactory.getLogger(RunExecution.class);
            for (String warning : plan.warnings()) {
                log.warn(warning);
            }
            if (log.isInfoEnabled()) {
                for (String step : plan.describe()) {
                    log.info(step);
                }
            }
        }
        backend.prepare(plan);
        if (plan.egressSocket().isPresent()) {
            // The filtering proxy lives in this JVM, which therefore stays for the server's lifetime.
            try (EgressProxy proxy = EgressService.start(plan)) {
                if (mediated.mediates()) {
                    return mediated.relay(backend, plan);
                }
                try (ContainedProcess process = backend.start(plan, true)) {
                    return process.waitFor();
                }
            }
        }
        if (mediated.mediates()) {
            // The JVM stays as the relay between this process's stdio and the server's pipes.
            return mediated.relay(backend, plan);
        }
        String channel = System.getenv(ExecHandoff.CHANNEL_FD_VARIABLE);
        if (channel != null && backend instanceof ExecHandoff handoff) {
            try (OutputStream stream = new FileOutputStream(channelPath(channel))) {
                handoff.writeHandoff(plan, stream);
            }
            return ExitCodes.OK;
        }
        // Started without the script (java -jar, tests): supervise from this JVM with the same stdio.
        try (ContainedProcess process = backend.start(plan, true)) {
            return process.waitFor();
        }
    }

    private static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String channelPath(String fd) {
        if (fd.isEmpty() || fd.length() > 4 || !isDigits(fd) || !Files.exists(Path.of("/proc/self/fd/" + fd))) {
            throw new IllegalStateException(ExecHandoff.CHANNEL_FD_VARIABLE + "=" + fd + " names no open descriptor");
        }
        return "/proc/self/fd/" + fd;
    }
}
