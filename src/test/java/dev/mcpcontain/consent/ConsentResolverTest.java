package dev.mcpcontain.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcpcontain.profile.Access;
import dev.mcpcontain.profile.GrantSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsentResolverTest {

    @TempDir
    Path temp;

    private ConsentStore store;
    private Path desktop;
    private Path projects;

    /** Stands in for the person at the terminal: answers in order, and remembers what it was asked. */
    private static final class Person implements ConsentPrompt {
        final Deque<ConsentStore.Answer> answers = new ArrayDeque<>();
        final List<Path> asked = new ArrayList<>();

        @Override
        public Optional<ConsentStore.Answer> ask(String server, FolderRequest request, Path canonical) {
            asked.add(canonical);
            return Optional.ofNullable(answers.poll());
        }
    }

    @BeforeEach
    void folders() throws Exception {
        store = new ConsentStore(temp.resolve("config/consents.json"));
        desktop = Files.createDirectories(temp.resolve("home/Desktop")).toRealPath();
        projects = Files.createDirectories(temp.resolve("home/projects")).toRealPath();
    }

    private static FolderRequest request(Path path, boolean required) {
        return new FolderRequest(path, "user_config.allowed_directories", required);
    }

    @Test
    void theAnswerGivenOnTheTerminalIsRememberedPerServerAndFolder() {
        Person person = new Person();
        person.answers.add(ConsentStore.Answer.READ_WRITE);
        ConsentResolver.Outcome first = new ConsentResolver(store, Optional.of(person))
                .resolve("fs", List.of(request(desktop, true)), List.of(), false);
        assertEquals(List.of(new GrantSpec(Optional.empty(), Optional.of(desktop.toString()), Access.READ_WRITE)),
                first.consented());
        ConsentResolver.Outcome again = new ConsentResolver(store, Optional.of(person))
                .resolve("fs", List.of(request(desktop, true)), List.of(), false);
        assertEquals(first.consented(), again.consented());
        assertEquals(1, person.asked.size(), "asked once, remembered after");
        person.answers.add(ConsentStore.Answer.DENIED);
        new ConsentResolver(store, Optional.of(person)).resolve("other", List.of(request(desktop, false)), List.of(), false);
        assertEquals(2, person.asked.size(), "another server is asked again: consent is per server");
        assertEquals(ConsentStore.Answer.DENIED, store.decision("other", desktop).orElseThrow().answer());
    }

    @Test
    void aFolderInsideAUserGrantNeedsNoConsent() {
        Person person = new Person();
        ConsentResolver.Outcome outcome = new ConsentResolver(store, Optional.of(person))
                .resolve("fs", List.of(request(desktop, true)), List.of(desktop.getParent()), false);
        assertEquals(List.of(), outcome.consented(), "the user's own grant applies as written");
        assertEquals(List.of(), person.asked);
    }

    @Test
    void withoutATerminalOptionalFoldersAreLeftOutAndRequiredOnesRefusedWithTheCommand() {
        ConsentResolver noTerminal = new ConsentResolver(store, Optional.empty());
        ConsentResolver.Outcome outcome = noTerminal.resolve("fs", List.of(request(projects, false)), List.of(), false);
        assertEquals(List.of(), outcome.consented());
        assertTrue(outcome.notices().get(0).contains("mcp-contain grants add fs " + projects + ":ro"), outcome.notices().toString());
        ConsentException refused = assertThrows(ConsentException.class,
                () -> noTerminal.resolve("fs", List.of(request(desktop, true), request(projects, true)), List.of(), false));
        assertEquals("server 'fs' requires 2 folders: [" + desktop + ", " + projects + "] and there is no terminal to"
                + " ask for consent on; grant them once with: mcp-contain grants add fs " + desktop + ":ro " + projects
                + ":ro (or :rw for read-write)", refused.getMessage());
        store.record("fs", desktop, ConsentStore.Answer.READ_ONLY, "grants add");
        store.record("fs", projects, ConsentStore.Answer.READ_ONLY, "grants add");
        assertEquals(2, noTerminal.resolve("fs", List.of(request(desktop, true), request(projects, true)), List.of(),
                false).consented().size(), "once granted, it starts without a terminal");
    }

    @Test
    void aDeclinedOrMissingRequiredFolderRefusesTheLaunch() {
        store.record("fs", desktop, ConsentStore.Answer.DENIED, "terminal");
        ConsentException declined = assertThrows(ConsentException.class, () -> new ConsentResolver(store, Optional.empty())
                .resolve("fs", List.of(request(desktop, true)), List.of(), false));
        assertTrue(declined.getMessage().contains("access was declined; to allow it: mcp-contain grants add fs"));
        ConsentException missing = assertThrows(ConsentException.class, () -> new ConsentResolver(store, Optional.empty())
                .resolve("fs", List.of(request(temp.resolve("nowhere"), true)), List.of(), false));
        assertTrue(missing.getMessage().contains("which does not exist"));
    }

    @Test
    void aDryRunAsksNothingAndRemembersNothing() {
        Person person = new Person();
        ConsentResolver.Outcome outcome = new ConsentResolver(store, Optional.of(person))
                .resolve("fs", List.of(request(desktop, true)), List.of(), true);
        assertEquals(List.of(), person.asked);
        assertTrue(outcome.notices().get(0).startsWith("would ask for consent to " + desktop));
        assertTrue(store.list(Optional.empty()).isEmpty());
    }

    @Test
    void revokingForgetsAndADamagedStoreIsAnError() throws Exception {
        store.record("fs", desktop, ConsentStore.Answer.READ_ONLY, "grants add");
        assertTrue(store.revoke("fs", desktop));
        assertTrue(store.list(Optional.of("fs")).isEmpty());
        Files.writeString(store.file(), "{\"servers\": [");
        assertThrows(ConsentException.class, () -> store.list(Optional.empty()));
    }
}
