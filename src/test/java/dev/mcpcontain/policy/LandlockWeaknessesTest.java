package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LandlockWeaknessesTest {

    @Test
    void everyEntryHasAUniqueNameAndOneLineOfMeaningAndMechanism() {
        Set<String> names = new HashSet<>();
        for (LandlockWeaknesses.Weakness w : LandlockWeaknesses.all()) {
            assertTrue(names.add(w.name()), "twice: " + w.name());
            assertTrue(w.name().matches("landlock-[a-z0-9-]+"), w.name());
            assertFalse(w.meaning().isBlank() || w.meaning().contains("\n"), w.name());
            assertFalse(w.mechanism().isBlank() || w.mechanism().contains("\n"), w.name());
        }
    }

    @Test
    void onlyOpenOnesCanBeAccepted() {
        assertNull(LandlockWeaknesses.whyNotAcceptable("landlock-stat-metadata"));
        assertTrue(LandlockWeaknesses.whyNotAcceptable("landlock-terminals").contains("is closed"));
        assertTrue(LandlockWeaknesses.whyNotAcceptable("nope").startsWith("unknown weakness 'nope' (known: "));
        for (String name : LandlockWeaknesses.acceptable()) {
            assertEquals(LandlockWeaknesses.Status.OPEN, LandlockWeaknesses.named(name).orElseThrow().status());
        }
    }

    /** The README's table names every entry with its status: the docs cannot drift from the registry. */
    @Test
    void theReadmeNamesEveryWeaknessWithItsStatus() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (LandlockWeaknesses.Weakness w : LandlockWeaknesses.all()) {
            String row = readme.lines().filter(l -> l.startsWith("| ") && l.contains("`" + w.name() + "`"))
                    .findFirst().orElseThrow(() -> new AssertionError("README has no row for " + w.name()));
            String status = row.split("\\|")[2].trim();
            assertTrue(status.startsWith(w.status() == LandlockWeaknesses.Status.OPEN ? "open" : "closed"), row);
        }
    }
}
