/**
 * Carrying out a plan through the {@link dev.mcpcontain.platform.windows.Win32} port: the launch sequence, the
 * agent-account stages, the running process and its pipe streams, and the text Windows parses (command-line quoting,
 * environment block, the JVM argument file).
 */
package dev.mcpcontain.platform.windows.launch;
