package dev.mcpcontain.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Line disciplines: TIOCSETD on any terminal, the server's own ptys of its private devpts included, attaches kernel
 * code no server needs (n_gsm: CVE-2023-6546, n_hdlc: CVE-2017-2636; with dev.tty.ldisc_autoload 1 it even loads
 * the module). seccomp refuses every TIOCSETD (the value is behind a pointer), so even the harmless N_TTY is EPERM:
 * that is what is asserted, root and user launcher, default and strict. Control: the server's uid, unconfined, sets
 * N_TTY on a pty of its own.
 */
class LineDisciplineIT {

    @TestFactory
    Stream<DynamicNode> lineDisciplines() {
        EscapeSuite suite = EscapeSuite.get();
        return suite.identities().stream().map(id -> {
            Steps steps = Steps.of().add("pty-setd", "pty-setd");
            Lazy<RunResult> control = Lazy.of(() -> suite.control(id, steps));
            List<DynamicNode> tests = new ArrayList<>();
            for (String profile : List.of("default", "strict")) {
                Lazy<RunResult> contained = Lazy.of(() -> suite.launch(id, "ldisc-" + profile).profile(profile)
                        .probe(steps).run());
                tests.add(Named.test(id, profile + ": TIOCSETD on its own pty: EPERM; control: set unconfined", () -> {
                    contained.get().assertProbeCompleted(steps.labels());
                    contained.get().assertDenied("pty-setd", "EPERM");
                    control.get().assertAllowed("pty-setd");
                }));
            }
            return Named.group(id, tests);
        });
    }
}
