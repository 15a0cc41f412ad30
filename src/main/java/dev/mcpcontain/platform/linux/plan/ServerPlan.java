package dev.mcpcontain.platform.linux.plan;

import dev.mcpcontain.policy.ContainmentPolicy;
import java.util.Map;

/** The server process itself: its program, arguments, environment, and how the helper supervises it. */
final class ServerPlan {

    /** Grace between the host closing stdin and SIGTERM, as the TypeScript SDK's own shutdown. */
    static final int STDIN_HUP_GRACE_MS = 2000;

    private ServerPlan() {}

    static void write(ContainmentPolicy policy, Map<String, String> environment, int verbosity, PlanWriter plan) {
        plan.op(PlanOp.CWD, policy.workingDirectory().toString());
        plan.op(PlanOp.EXEC, policy.program());
        for (String arg : policy.command()) {
            plan.op(PlanOp.ARG, arg);
        }
        plan.step("environment: " + environment.size() + " variables (allow-list; "
                + String.join(", ", environment.keySet()) + ")");
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            plan.op(PlanOp.ENV, variable.getKey() + "=" + variable.getValue());
        }
        plan.step("descriptors: only 0, 1, 2 reach the server; stdio passed through untouched");
        plan.step("lifecycle: new session; signals forwarded; tree killed when the launcher dies or stdin closes"
                + " (after " + STDIN_HUP_GRACE_MS + " ms)");
        plan.op(PlanOp.VERBOSE, verbosity);
        plan.op(PlanOp.STDIN_HUP_GRACE_MS, STDIN_HUP_GRACE_MS);
    }
}
