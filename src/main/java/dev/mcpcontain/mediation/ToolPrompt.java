package dev.mcpcontain.mediation;

import java.util.Optional;

/** Asks a person about one tool call, outside the MCP protocol (the launcher's terminal). */
public interface ToolPrompt {

    /** The user's answer. */
    enum Answer { ONCE, SESSION, ALWAYS, NO }

    /**
     * Blocks until answered.
     *
     * @param question what to ask (fixed text, the host's tool name and the host's own arguments)
     * @return the answer, or empty when nobody can answer (terminal gone)
     */
    Optional<Answer> ask(String question);
}
