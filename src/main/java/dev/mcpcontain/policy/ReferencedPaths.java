package dev.mcpcontain.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files that the user's start-up and git configuration name, and so trust, wherever they lie (issue 7, class 3): a
 * {@code ~/.bashrc} that says {@code source ~/work/env.sh} or {@code export PATH=~/work/bin:$PATH}, a
 * {@code ~/.gitconfig} whose {@code includeIf} reads {@code ~/work/.gitconfig-work}, whose {@code core.hooksPath},
 * {@code init.templateDir} or {@code core.fsmonitor} is a path in a folder the user grants writable. Such a file is
 * trusted by reference, not by its name, so neither the protected names nor the create guard know it; the writable
 * grant holding it pins it (or refuses when it does not exist yet).
 *
 * <p>Read: the shell start-up files and git configuration of each home and of /etc, at most {@link #MAX_BYTES} each.
 * Recognised: {@code source F} and {@code . F}, {@code PATH=...} (each entry), and in git configuration the values of
 * the keys that name files git reads or programs it runs (the first word of the value). {@code ~}, {@code $HOME} and
 * {@code ${HOME}} are the home the file belongs to; a relative git {@code path} is relative to the file's folder.
 */
final class ReferencedPaths {

    static final int MAX_BYTES = 256 * 1024;

    /** Shell start-up files of a home (and their /etc counterparts below). */
    static final List<String> SHELL_FILES = List.of(".bashrc", ".bash_profile", ".bash_login", ".profile",
            ".bash_aliases", ".bash_logout", ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".config/fish/config.fish",
            ".xprofile", ".xsessionrc");

    static final List<String> GIT_FILES = List.of(".gitconfig", ".config/git/config");

    static final List<String> SYSTEM_SHELL_FILES = List.of("/etc/profile", "/etc/bash.bashrc", "/etc/zsh/zshrc",
            "/etc/zsh/zshenv", "/etc/zsh/zprofile", "/etc/environment");

    static final List<String> SYSTEM_GIT_FILES = List.of("/etc/gitconfig");

    /** git keys (the last part of the name, lower case) whose value names a file git reads or a program it runs. */
    static final List<String> GIT_PATH_KEYS = List.of("path", "hookspath", "templatedir", "fsmonitor", "attributesfile",
            "sshcommand", "editor", "pager", "helper", "program", "textconv", "command", "cmd", "driver", "clean",
            "smudge", "process", "askpass", "external");

    private static final Pattern SOURCE = Pattern.compile("(?:^|[;&|({]\\s*|\\bthen\\s+|\\bdo\\s+|\\belse\\s+)"
            + "(?:source|\\.)\\s+([^\\s;&|)]+)");
    private static final Pattern PATH_ASSIGNMENT = Pattern.compile("\\bPATH\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s;&|]+)");
    private static final Pattern FISH_PATH = Pattern.compile("\\b(?:fish_add_path|set\\s+(?:-\\w+\\s+)*PATH)\\s+(.+)");
    private static final Pattern GIT_ENTRY = Pattern.compile("^\\s*([A-Za-z][A-Za-z0-9-]*)\\s*=\\s*(.*)$");

    private ReferencedPaths() {}

    /** Each referenced path (normalized, absolute) with the file that names it. */
    static Map<Path, Path> of(List<Path> homes) {
        Map<Path, Path> found = new LinkedHashMap<>();
        for (Path home : homes) {
            for (String name : SHELL_FILES) {
                shell(home.resolve(name), home, found);
            }
            for (String name : GIT_FILES) {
                git(home.resolve(name), home, found);
            }
        }
        Path root = Path.of("/root");
        for (String name : SYSTEM_SHELL_FILES) {
            shell(Path.of(name), null, found);
        }
        for (String name : SYSTEM_GIT_FILES) {
            git(Path.of(name), root, found);
        }
        return found;
    }

    private static void shell(Path file, Path home, Map<Path, Path> found) {
        String text = read(file);
        if (text == null) {
            return;
        }
        for (String line : text.split("\n")) {
            String code = line.strip();
            if (code.startsWith("#")) {
                continue;
            }
            Matcher source = SOURCE.matcher(code);
            while (source.find()) {
                add(source.group(1), home, file.getParent(), false, file, found);
            }
            Matcher path = PATH_ASSIGNMENT.matcher(code);
            while (path.find()) {
                for (String entry : unquote(path.group(1)).split(":")) {
                    add(entry, home, null, false, file, found);
                }
            }
            Matcher fish = FISH_PATH.matcher(code);
            while (fish.find()) {
                for (String entry : fish.group(1).trim().split("\\s+")) {
                    add(entry, home, null, false, file, found);
                }
            }
        }
    }

    private static void git(Path file, Path home, Map<Path, Path> found) {
        String text = read(file);
        if (text == null) {
            return;
        }
        for (String line : text.split("\n")) {
            Matcher entry = GIT_ENTRY.matcher(line);
            if (!entry.matches()) {
                continue;
            }
            String key = entry.group(1).toLowerCase(Locale.ROOT);
            if (!GIT_PATH_KEYS.contains(key)) {
                continue;
            }
            String value = unquote(entry.group(2).replaceAll("\\s[#;].*$", "").strip());
            if (value.startsWith("!")) {
                value = value.substring(1).strip();
            }
            String first = value.split("\\s+", 2)[0];
            add(first, home, file.getParent(), key.equals("path"), file, found);
        }
    }

    /** WORD as a path: ~, $HOME and ${HOME} are HOME; relative only when RELATIVE_OK (then against DIR). */
    private static void add(String word, Path home, Path dir, boolean relativeOk, Path file, Map<Path, Path> found) {
        String w = unquote(word);
        String rest = null;
        for (String prefix : List.of("~/", "$HOME/", "${HOME}/")) {
            if (w.startsWith(prefix)) {
                rest = w.substring(prefix.length());
            }
        }
        Path path;
        try {
            if (rest != null) {
                if (home == null) {
                    return;
                }
                path = home.resolve(rest);
            } else if (w.startsWith("/")) {
                path = Path.of(w);
            } else if (relativeOk && dir != null && !w.isEmpty() && !w.contains("$")) {
                path = dir.resolve(w);
            } else {
                return;
            }
        } catch (RuntimeException e) {
            return; // not a path (an invalid character)
        }
        if (path.toString().contains("$") || path.toString().contains("*")) {
            return; // another variable or a glob: not something a grant can be compared with
        }
        found.putIfAbsent(path.normalize(), file);
    }

    private static String unquote(String word) {
        String w = word.strip();
        if (w.length() >= 2 && (w.startsWith("\"") && w.endsWith("\"") || w.startsWith("'") && w.endsWith("'"))) {
            return w.substring(1, w.length() - 1);
        }
        return w;
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) { // a FIFO would block the launch
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null; // not ours to read (another user's home, for a user's launcher)
        }
    }

    /** Existing referenced paths strictly inside GRANT (pin them), and absent ones (the server could create them). */
    record InGrant(List<Path> existing, Map<Path, Path> absent) {}

    static InGrant inside(Path grant, Map<Path, Path> referenced) {
        List<Path> existing = new ArrayList<>();
        Map<Path, Path> absent = new LinkedHashMap<>();
        for (Map.Entry<Path, Path> e : referenced.entrySet()) {
            Path path = e.getKey();
            if (!path.startsWith(grant) || path.equals(grant)) {
                continue;
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                existing.add(path);
            } else {
                absent.put(path, e.getValue());
            }
        }
        return new InGrant(existing, absent);
    }
}
