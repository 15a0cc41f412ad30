package dev.mcpcontain.policy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names that stay read-only inside a writable grant: files a shell, git, ssh, an editor, the desktop or an MCP host
 * would later run or trust, so a server that wrote them would escape the containment on the user's next action.
 *
 * <p>Two scopes. {@link Where#HOME} names are trusted relative to a home directory (any account's, from
 * /etc/passwd, and the launcher's). {@link Where#PROJECT} names are trusted in a folder a user works in: the grant
 * itself and every git work tree inside it. A name that exists is pinned with a read-only mount (as a whole, for
 * directories). A name that does not exist cannot be pinned (a mount needs something on disk, and mcp-contain does
 * not create placeholders in the user's folders): {@link GrantGuard} refuses the grant shapes where that matters.
 * A git directory that is not named {@code .git} (a bare repository: valid {@code HEAD}, {@code objects}, {@code refs})
 * is no name to list: {@link GrantGuard#isGitDirectory} recognises it by its content, and it is pinned like a
 * {@code .git}.
 */
public final class ProtectedNames {

    public enum Where { HOME, PROJECT }

    /** One protected name and why it is one. */
    public record Name(String name, Where where, String why) {}

    static final List<Name> ALL = List.of(
            // Shells: read (and run) at every login or interactive shell.
            home(".bashrc", "bash runs it in every interactive shell"),
            home(".bash_profile", "bash runs it at login"),
            home(".bash_login", "bash runs it at login when .bash_profile is absent"),
            home(".bash_logout", "bash runs it at logout"),
            home(".bash_aliases", "sourced by the usual .bashrc"),
            home(".profile", "sh, dash and bash run it at login"),
            home(".zshrc", "zsh runs it in every interactive shell"),
            home(".zshenv", "zsh runs it for every zsh, scripts included"),
            home(".zprofile", "zsh runs it at login"),
            home(".zlogin", "zsh runs it at login"),
            home(".zlogout", "zsh runs it at logout"),
            home(".oh-my-zsh", "sourced by .zshrc with oh-my-zsh"),
            home(".config/fish", "fish runs config.fish and conf.d/*"),
            home(".inputrc", "readline key bindings can run shell commands"),
            home(".tmux.conf", "tmux runs run-shell and if-shell commands from it"),
            home(".config/tmux", "tmux's XDG configuration"),
            // Git: global configuration (core.fsmonitor, core.hooksPath, aliases run commands).
            home(".gitconfig", "git's global configuration can run commands"),
            home(".config/git", "git's XDG configuration can run commands"),
            // Remote access and keys.
            home(".ssh", "ssh trusts keys, authorized_keys, config (ProxyCommand) and known_hosts"),
            home(".gnupg", "gpg trusts its keyrings and gpg.conf"),
            home(".aws", "credential_process runs a command"),
            home(".kube", "exec credential plugins run commands"),
            home(".docker", "credential helpers run commands"),
            // Editors.
            home(".vimrc", "vim runs it at start"),
            home(".vim", "vim runs plugins from it"),
            home(".config/nvim", "neovim runs init.lua and plugins"),
            home(".local/share/nvim", "neovim's installed plugins"),
            home(".emacs", "emacs runs it at start"),
            home(".emacs.d", "emacs runs init.el and packages"),
            home(".config/emacs", "emacs's XDG init directory"),
            home(".config/Code", "VS Code's user settings and tasks"),
            home(".config/Cursor", "Cursor's user settings"),
            home(".vscode-server", "VS Code remote server and its extensions"),
            // Desktop session and services: started without asking at the next login.
            home(".config/autostart", "desktop sessions start every .desktop file in it"),
            home(".config/systemd", "systemd --user runs units from it"),
            home(".local/share/systemd", "systemd --user timers and units"),
            home(".config/environment.d", "systemd --user sets the session environment from it (LD_PRELOAD)"),
            home(".pam_environment", "pam_env sets the login environment from it"),
            home(".xprofile", "display managers run it at login"),
            home(".xinitrc", "startx runs it"),
            home(".xsession", "display managers run it at login"),
            home(".xsessionrc", "Debian's X session runs it"),
            home(".local/bin", "on PATH before /usr/bin in most distributions' .profile"),
            home("bin", "on PATH in the usual .profile when it exists"),
            home(".cargo/bin", "on PATH for rustup users"),
            home(".cargo/env", "sourced by .profile and .bashrc for rustup users"),
            home(".nvm", "nvm.sh is sourced by .bashrc; its node binaries are on PATH"),
            home(".pyenv", "its shims are on PATH and its init is sourced by the shell"),
            home("go/bin", "on PATH for Go users (go install puts programs there)"),
            home(".npm-global", "npm's usual user prefix: its bin is on PATH, its modules are required"),
            home(".deno/bin", "on PATH for deno users"),
            home(".bun/bin", "on PATH for bun users"),
            home(".dotnet/tools", "on PATH for .NET global tools"),
            // Interpreters: code they load from the home on every start, whatever the program.
            home(".local/lib", "Python's user site-packages: usercustomize.py and every .pth file run in each python"),
            home("node_modules", "node resolves require() from every project below the home up to here"),
            home(".node_modules", "one of node's global module folders"),
            home(".node_libraries", "one of node's global module folders"),
            home(".ipython", "IPython runs profile_default/startup/*.py and ipython_config.py"),
            home(".jupyter", "Jupyter runs its jupyter_*_config.py files"),
            home(".gdbinit", "gdb runs it at start"),
            home(".config/gdb", "gdb's XDG init files"),
            home(".Rprofile", "R runs it at start"),
            home(".irbrc", "irb runs it at start"),
            home(".psqlrc", "psql runs it (\\! runs shell commands)"),
            home(".sqliterc", "sqlite3 runs it (.shell runs commands)"),
            home(".gradle/init.d", "gradle runs its init scripts in every build"),
            home(".m2/settings.xml", "maven's repositories and mirrors (code fetched from elsewhere)"),
            // Desktop entries: one named like an installed application replaces it, Exec= and all.
            home(".local/share/applications", "desktop entries and mimeapps.list: they replace an application's command"),
            // Directory-local and package tools: configuration that names commands to run.
            home(".config/direnv", "direnv's configuration and whitelist"),
            home(".local/share/direnv", "direnv's allow list"),
            home(".direnvrc", "direnv runs it for every .envrc"),
            home(".npmrc", "npm configuration (script-shell, node-options)"),
            home(".yarnrc", "yarn configuration"),
            home(".pypirc", "upload credentials and index URLs"),
            home(".config/pip", "pip configuration (index URL: code installed from elsewhere)"),
            home(".pip", "pip's legacy configuration"),
            home(".cargo/config", "cargo configuration (build.rustc-wrapper runs a command)"),
            home(".cargo/config.toml", "cargo configuration (build.rustc-wrapper runs a command)"),
            // MCP hosts and agents: configuration that starts servers or runs hooks.
            home(".claude", "Claude Code settings and hooks"),
            home(".claude.json", "Claude Code's MCP servers"),
            home(".cursor", "Cursor's MCP servers"),
            home(".config/Claude", "Claude Desktop's MCP servers"),
            home(".gemini", "Gemini CLI's settings and MCP servers"),
            home(".codex", "Codex CLI's configuration and MCP servers"),
            home(".continue", "Continue's configuration and MCP servers"),
            home(".codeium", "Windsurf's MCP servers"),
            home(".config/zed", "Zed's settings: context servers and tasks run commands"),
            home(".config/goose", "goose's extensions run commands"),
            home(".aws/amazonq", "Amazon Q's MCP servers"),
            home(".config/mise", "mise's global configuration (tasks, env sources)"),
            home(".config/mcp-contain", "mcp-contain's own profiles, pins and consents"),
            home(".local/share/mcp-contain", "mcp-contain's agent homes and audit log"),
            // Project level: read when the user opens or works in a folder.
            project(".git", "git runs hooks and fsmonitor, and trusts config, commondir and gitdir links"),
            project(".mcp.json", "MCP hosts start the servers it lists"),
            project(".vscode", "VS Code tasks and settings (tasks can run on folder open)"),
            project(".cursor", "Cursor rules and MCP servers"),
            project(".claude", "Claude Code project settings and hooks"),
            project(".idea", "JetBrains run configurations"),
            project(".devcontainer", "dev containers run its commands"),
            project(".envrc", "direnv runs it once allowed"),
            project(".npmrc", "npm configuration for the project"),
            project(".yarnrc", "yarn configuration for the project"),
            project(".yarnrc.yml", "yarn berry configuration (yarnPath runs a script)"),
            project(".pnpmfile.cjs", "pnpm runs it on install"),
            project(".husky", "git hooks (core.hooksPath) of husky projects"),
            project(".gitmodules", "submodule URLs git fetches"),
            project(".gemini", "Gemini CLI project settings and MCP servers"),
            project(".amazonq", "Amazon Q project MCP servers"),
            project(".roo", "Roo Code project MCP servers"),
            project(".kiro", "Kiro project settings and MCP servers"),
            project(".continue", "Continue project configuration and MCP servers"),
            project(".windsurf", "Windsurf project rules and workflows"),
            project(".zed", "Zed project settings and tasks (context servers run commands)"),
            project(".cargo", "cargo configuration for the project (build.rustc-wrapper runs a command on build)"),
            project(".mvn", "Maven loads extensions.xml and jvm.config from it on every build"),
            project(".pre-commit-config.yaml", "the installed pre-commit hook runs what it lists"),
            project("lefthook.yml", "the installed lefthook hook runs its commands"),
            project(".lefthook.yml", "the installed lefthook hook runs its commands"),
            project("mise.toml", "mise runs its tasks and env sources (once trusted)"),
            project(".mise.toml", "mise runs its tasks and env sources (once trusted)"),
            // Read from the working directory by interactive tools, not only from the home: starting R, pdb or irb
            // in a data folder runs them (a user expects no project code to run there).
            project(".Rprofile", "R runs the working directory's .Rprofile at start"),
            project(".Renviron", "R reads the working directory's .Renviron at start (R_PROFILE_USER runs a file)"),
            project(".pdbrc", "pdb runs the working directory's .pdbrc as debugger commands (! runs Python)"),
            project(".irbrc", "irb runs the working directory's .irbrc"),
            project(".pryrc", "pry runs the working directory's .pryrc"),
            project(".iex.exs", "IEx runs the working directory's .iex.exs"),
            project(".ghci", "GHCi runs the working directory's .ghci (:! runs commands)"),
            project(".octaverc", "Octave runs the working directory's .octaverc"),
            project(".gdbinit", "gdb runs the working directory's .gdbinit where auto-load allows it"),
            project(".lldbinit", "lldb runs the working directory's .lldbinit where its setting allows it"));

    private static Name home(String name, String why) {
        return new Name(name, Where.HOME, why);
    }

    private static Name project(String name, String why) {
        return new Name(name, Where.PROJECT, why);
    }

    private ProtectedNames() {}

    /**
     * The names a server may not create in a protected writable grant (the helper's create guard), lower case:
     * every project name; HEAD, without which no directory is a git repository (a folder holding HEAD, objects/ and
     * refs/ is a bare repository, whose config git trusts when run inside it); and the single-component home names
     * (a home is never a protected grant, but a file named .bashrc has no business being created in a project
     * either). Only the dot-names of the home: "bin" and "node_modules" are made in projects all the time, and run
     * nothing until they are a home's.
     */
    public static List<String> createGuarded() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Name name : ALL) {
            if (name.where() == Where.PROJECT
                    || (!name.name().contains("/") && name.name().startsWith("."))) {
                names.add(name.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        names.add("head");
        return List.copyOf(names);
    }

    /** A writable grant the user opted out of protection for ({@code :rw,unprotected}). */
    public static boolean unprotected(PathRule grant) {
        return grant.reason().contains(",unprotected");
    }

    static List<Name> of(Where where) {
        return ALL.stream().filter(n -> n.where() == where).toList();
    }

    /**
     * What a launch says about its writable grants: nothing for a protected one (what exists is pinned read-only,
     * and the helper's create guard keeps the absent names from being created), the risk the user took for an
     * unprotected one.
     */
    public static List<String> absentInWritableGrants(ContainmentPolicy policy, Path home) {
        List<String> notices = new ArrayList<>();
        for (PathRule grant : topLevelWritableGrants(policy)) {
            if (unprotected(grant)) {
                notices.add("the writable grant " + grant.path() + " is unprotected (as asked): the server can create"
                        + " a .git, HEAD or startup file in any sub-folder there; what exists is still read-only");
            }
        }
        return notices;
    }

    private static List<PathRule> topLevelWritableGrants(ContainmentPolicy policy) {
        List<PathRule> grants = new ArrayList<>();
        for (PathRule rule : policy.paths()) {
            if (!rule.writable() || !rule.userFolder()) {
                continue;
            }
            boolean nested = false;
            for (PathRule other : policy.paths()) {
                nested |= other != rule && other.writable() && !other.path().equals(rule.path())
                        && rule.path().startsWith(other.path());
            }
            if (!nested) {
                grants.add(rule);
            }
        }
        return grants;
    }
}
