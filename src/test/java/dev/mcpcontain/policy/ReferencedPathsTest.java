package dev.mcpcontain.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferencedPathsTest {

    @TempDir
    Path dir;

    @Test
    void shellAndGitConfigurationNamePathsThatWritableGrantsMustPinOrRefuse() throws IOException {
        dir = dir.toRealPath();
        Path home = Files.createDirectories(dir.resolve("home/alice"));
        Files.writeString(home.resolve(".bashrc"), "# source ~/commented.sh\n"
                + "[ -f ~/work/env.sh ] && . ~/work/env.sh\n"
                + "if true; then source \"$HOME/work/aliases\"; fi\n"
                + "export PATH=\"$HOME/work/bin:${HOME}/tools/bin:$PATH:/opt/x/bin\"\n"
                + "alias w='cd ~/work/elsewhere'\n");
        Files.writeString(home.resolve(".gitconfig"), "[includeIf \"gitdir:~/work/\"]\n\tpath = ~/work/.gitconfig-work\n"
                + "[include]\n  path = relative.inc ; a comment\n[core]\n\thooksPath = ~/hooks\n"
                + "\tfsmonitor = \"!~/work/fsm.sh --flag\"\n\teditor = vim\n[alias]\n\tst = status\n");
        Map<Path, Path> refs = ReferencedPaths.of(List.of(home));
        for (String expected : List.of("work/env.sh", "work/aliases", "work/bin", "tools/bin", "work/.gitconfig-work",
                "relative.inc", "hooks", "work/fsm.sh")) {
            assertTrue(refs.containsKey(home.resolve(expected)), expected + " in " + refs.keySet());
        }
        assertTrue(refs.containsKey(Path.of("/opt/x/bin")), refs.keySet().toString());
        assertFalse(refs.containsKey(home.resolve("commented.sh")), refs.keySet().toString());
        assertFalse(refs.containsKey(home.resolve("work/elsewhere")), refs.keySet().toString());
        assertEquals(home.resolve(".gitconfig"), refs.get(home.resolve("hooks")));

        Path work = Files.createDirectories(home.resolve("work"));
        Files.writeString(work.resolve("env.sh"), "");
        Files.createDirectories(work.resolve("bin"));
        GrantGuard guard = new GrantGuard(List.of(home), 50, 1000, List.of());
        String absent = assertThrows(PolicyException.class, () -> guard.check(work, false, "g", "g,unprotected"))
                .getMessage();
        assertTrue(absent.contains("names " + work.resolve("aliases")) || absent.contains("names "
                + work.resolve(".gitconfig-work")) || absent.contains("names " + work.resolve("fsm.sh")), absent);
        assertTrue(absent.contains("does not exist yet"), absent);
        Files.writeString(work.resolve("aliases"), "");
        Files.writeString(work.resolve(".gitconfig-work"), "");
        Files.writeString(work.resolve("fsm.sh"), "");
        GrantGuard.Pins pins = guard.check(work, false, "g", "g,unprotected");
        assertTrue(pins.readOnly().containsAll(List.of(work.resolve("env.sh"), work.resolve("aliases"),
                work.resolve("bin"), work.resolve(".gitconfig-work"), work.resolve("fsm.sh"))), pins.toString());
        Path hooks = Files.createDirectories(home.resolve("hooks/sub"));
        String holds = assertThrows(PolicyException.class, () -> guard.check(hooks, false, "g", "g,unprotected"))
                .getMessage();
        assertTrue(holds.contains("names " + home.resolve("hooks") + ", which holds the grant"), holds);
        String itself = assertThrows(PolicyException.class,
                () -> guard.check(hooks.getParent(), false, "g", "g,unprotected")).getMessage();
        assertTrue(itself.contains("the grant itself"), itself);
    }
}
