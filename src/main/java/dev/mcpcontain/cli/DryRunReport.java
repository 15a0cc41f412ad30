package dev.mcpcontain.cli;

import dev.mcpcontain.launch.LaunchPlan;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.PathRule;
import dev.mcpcontain.run.PlannedRun;
import java.io.PrintWriter;
import java.util.Map;

/**
 * What {@code run --dry-run} prints: the frozen policy, then the backend's plan. Values of sensitive variables
 * are masked. This is the one place {@code run} writes to stdout, and it starts nothing.
 */
final class DryRunReport {

    private DryRunReport() {}

    static void print(PlannedRun<?> planned, PrintWriter out) {
        LaunchPlan plan = planned.plan();
        ContainmentPolicy p = plan.policy();
        out.println("server     " + p.serverId());
        out.println("profile    " + p.profileName());
        out.println("mode       " + plan.mode());
        out.println("isolation  " + p.isolation().name().toLowerCase(java.util.Locale.ROOT));
        out.println("network    " + p.network().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + (p.allowList().entries().isEmpty() ? "" : " " + p.allowList()));
        // Sensitive by the profile's names, or because the manifest maps a sensitive user_config option into the
        // variable (whatever its name): its value is shown nowhere, also not where the manifest put it in args.
        java.util.Set<String> sensitive = new java.util.TreeSet<>(p.sensitiveNames());
        sensitive.addAll(planned.run().sensitiveEnv());
        java.util.List<String> values = sensitive.stream().map(p.environment()::get)
                .filter(v -> v != null && !v.isEmpty()).toList();
        out.println("command    " + String.join(" ", p.command().stream().map(a -> masked(a, values)).toList()));
        out.println("cwd        " + p.workingDirectory());
        out.println("agent home " + p.agentHome());
        out.println("limits     memory=" + p.limits().memoryBytes() + " processes=" + p.limits().processes()
                + " openFiles=" + p.limits().openFiles() + " fileSize=" + p.limits().fileSizeBytes()
                + " tmp=" + p.limits().tmpBytes()
                + (p.limits().homeSizeBytes() > 0 ? " homeSize=" + p.limits().homeSizeBytes() : "")
                + p.limits().cpus().stream().mapToObj(c -> " cpus=" + c).findFirst().orElse("")
                + p.limits().cpuSeconds().stream().mapToObj(c -> " cpuSeconds=" + c).findFirst().orElse(""));
        out.println("paths");
        for (PathRule rule : p.paths()) {
            out.println("  " + rule.access().suffix() + " " + rule.path() + "  (" + rule.origin().name().toLowerCase(
                    java.util.Locale.ROOT) + ": " + rule.reason() + ")");
        }
        out.println("environment");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(p.environment()).entrySet()) {
            String value = sensitive.contains(e.getKey()) ? "<sensitive>" : e.getValue();
            out.println("  " + e.getKey() + "=" + value);
        }
        if (!p.toolAllow().isEmpty() || !p.toolDeny().isEmpty()) {
            out.println("tools      allow=" + p.toolAllow() + " deny=" + p.toolDeny());
        }
        for (String warning : planned.warnings()) {
            out.println("warning    " + warning);
        }
        out.println("plan");
        for (String line : plan.describe()) {
            out.println("  " + line);
        }
        out.flush();
    }

    private static String masked(String argument, java.util.List<String> values) {
        String shown = argument;
        for (String value : values) {
            shown = shown.replace(value, "<sensitive>");
        }
        return shown;
    }
}
