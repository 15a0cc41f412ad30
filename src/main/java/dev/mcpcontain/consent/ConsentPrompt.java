package dev.mcpcontain.consent;

import java.nio.file.Path;
import java.util.Optional;

/** Asks the user about one folder request; the only implementation that talks to a person is {@link TerminalPrompt}. */
public interface ConsentPrompt {

    /**
     * @param server    the server identity
     * @param request   what was asked for and by which manifest field
     * @param canonical the folder as it will be granted (symlinks resolved)
     * @return the answer, or empty when the user could not be asked after all (terminal closed)
     */
    Optional<ConsentStore.Answer> ask(String server, FolderRequest request, Path canonical);
}
