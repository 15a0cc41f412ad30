package dev.mcpcontain.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run says on stderr, at the verbosity the caller chose ({@code -v} count for the CLI, 0 for the Java API
 * unless given). Passed explicitly; the logger is made on the first line actually said, because SLF4J's start-up
 * would otherwise be paid by every launch, most of which have nothing to say.
 */
public final class Diagnostics {

    private final int verbosity;
    private Logger log;

    public Diagnostics(int verbosity) {
        this.verbosity = verbosity;
    }

    public int verbosity() {
        return verbosity;
    }

    public boolean verbose() {
        return verbosity > 0;
    }

    /** Always said: reduced protections, folders left out, notices of the policy. */
    public void warn(String line) {
        logger().warn(line);
    }

    /** Said with {@code -v}: the steps of the launch. */
    public void info(String line) {
        if (verbosity > 0) {
            logger().info(line);
        }
    }

    private synchronized Logger logger() {
        if (log == null) {
            log = LoggerFactory.getLogger(RunPipeline.class);
        }
        return log;
    }
}
