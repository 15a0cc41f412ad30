package dev.mcpcontain.consent;

import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.GrantSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides which of the folders a server asks for it gets, from the user's earlier answers, a prompt on the
 * terminal when there is one, and nothing otherwise. Pure decision logic: the store and the prompt are given.
 *
 * <ul>
 *   <li>a folder inside one the user granted (command line, profile) needs no consent: the grant applies as written;
 *   <li>a remembered answer applies: read-only, read-write or no;
 *   <li>otherwise the user is asked, and the answer remembered;
 *   <li>without a terminal the server starts without the folder, or, when the manifest requires it, the launch is
 *       refused with the one command that grants it.
 * </ul>
 */
public final class ConsentResolver {

    /**
     * @param consented grants to pass as {@code RunRequest.consented}
     * @param notices   lines for stderr: folders left out, and how to grant them
     */
    public record Outcome(List<GrantSpec> consented, List<String> notices) {}

    private final ConsentStore store;
    private final Optional<ConsentPrompt> prompt;

    public ConsentResolver(ConsentStore store, Optional<ConsentPrompt> prompt) {
        this.store = store;
        this.prompt = prompt;
    }

    /**
     * @param userGrants canonical folders the user granted for this run
     * @param dryRun     report only: ask nothing, remember nothing
     * @throws ConsentException when a required folder is missing, declined, or cannot be asked for
     */
    public Outcome resolve(String server, List<FolderRequest> requests, List<Path> userGrants, boolean dryRun) {
        List<GrantSpec> consented = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        List<Path> unanswered = new ArrayList<>();
        List<String> unansweredWhy = new ArrayList<>();
        for (FolderRequest request : requests) {
            Path canonical;
            try {
                canonical = request.path().toRealPath();
            } catch (IOException e) {
                String message = "server '" + server + "' asks for " + request.path() + " (" + request.requestedBy()
                        + "), which does not exist";
                if (request.required()) {
                    throw new ConsentException(message + ": create it, or give another folder with --user-config");
                }
                notices.add(message + "; starting without it");
                continue;
            }
            if (userGrants.stream().anyMatch(canonical::startsWith)) {
                continue;
            }
            Optional<ConsentStore.Answer> answer = store.decision(server, canonical).map(ConsentStore.Decision::answer);
            if (answer.isEmpty() && !dryRun && prompt.isPresent()) {
                answer = prompt.get().ask(server, request, canonical);
                answer.ifPresent(a -> store.record(server, canonical, a, "terminal"));
            }
            if (answer.isEmpty()) {
                if (dryRun) {
                    notices.add("would ask for consent to " + canonical + " (" + request.requestedBy() + ")");
                } else if (request.required()) {
                    unanswered.add(canonical);
                    unansweredWhy.add(request.requestedBy());
                } else {
                    notices.add("server '" + server + "' asked for " + canonical + " (" + request.requestedBy()
                            + "); no terminal to ask on, starting without it. To grant it: "
                            + grantCommand(server, List.of(canonical)));
                }
                continue;
            }
            switch (answer.get()) {
                case READ_ONLY -> consented.add(grant(canonical, Access.READ_ONLY));
                case READ_WRITE -> consented.add(grant(canonical, Access.READ_WRITE));
                case DENIED -> {
                    if (request.required()) {
                        throw new ConsentException("server '" + server + "' requires " + canonical + " ("
                                + request.requestedBy() + ") and access was declined; to allow it: "
                                + grantCommand(server, List.of(canonical)));
                    }
                    notices.add("starting server '" + server + "' without " + canonical + " (access declined)");
                }
            }
        }
        if (!unanswered.isEmpty()) {
            throw new ConsentException("server '" + server + "' requires " + (unanswered.size() == 1
                    ? unanswered.get(0) + " (" + unansweredWhy.get(0) + ")" : unanswered.size() + " folders: " + unanswered)
                    + " and there is no terminal to ask for consent on; grant " + (unanswered.size() == 1 ? "it" : "them")
                    + " once with: " + grantCommand(server, unanswered));
        }
        return new Outcome(consented, notices);
    }

    /** The command that grants the folders read-only; the user may change {@code :ro} to {@code :rw}. */
    public static String grantCommand(String server, List<Path> folders) {
        StringBuilder command = new StringBuilder("mcp-contain grants add ").append(server);
        for (Path folder : folders) {
            command.append(' ').append(shellWord(folder + ":ro"));
        }
        return command + " (or :rw for read-write)";
    }

    private static GrantSpec grant(Path canonical, Access access) {
        return new GrantSpec(Optional.empty(), Optional.of(canonical.toString()), access);
    }

    private static String shellWord(String text) {
        return text.matches("[A-Za-z0-9_./:@%+=,-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
