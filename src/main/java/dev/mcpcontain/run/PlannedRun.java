package dev.mcpcontain.run;

import dev.mcpcontain.launch.ContainedProcess;
import dev.mcpcontain.launch.ContainmentBackend;
import dev.mcpcontain.launch.ExecHandoff;
import dev.mcpcontain.launch.LaunchPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A resolved run with the backend's plan for it: what {@code --dry-run} prints and what the later stages carry
 * out. The plan stays paired with the backend that made it, so nothing downstream casts.
 *
 * @param run      the first stage's result
 * @param backend  the backend that planned it
 * @param plan     the backend's plan
 * @param notices  what the policy itself warns of on this host (e.g. protected names a writable grant does not
 *                 hold yet), computed by the pipeline, not by the backend
 */
public record PlannedRun<P extends LaunchPlan>(ResolvedRun run, ContainmentBackend<P> backend, P plan,
        List<String> notices) {

    /** The policy's notices, then the backend's warnings: everything a user must see on every launch. */
    public List<String> warnings() {
        List<String> all = new ArrayList<>(notices);
        all.addAll(plan.warnings());
        return all;
    }

    void prepare() throws IOException {
        backend.prepare(plan);
    }

    ContainedProcess start(boolean inheritStdio) throws IOException {
        return backend.start(plan, inheritStdio);
    }

    boolean canHandOff() {
        return backend.execHandoff().isPresent();
    }

    /** Writes the hand-off for the native supervisor that replaces the launcher script. */
    void handOff(java.io.OutputStream channel) throws IOException {
        Optional<ExecHandoff<P>> handoff = backend.execHandoff();
        if (handoff.isEmpty()) {
            throw new IllegalStateException("backend " + backend.name() + " has no exec hand-off");
        }
        handoff.get().writeHandoff(plan, channel);
    }
}
