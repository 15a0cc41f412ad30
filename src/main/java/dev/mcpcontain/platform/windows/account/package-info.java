/**
 * {@code mcp-contain setup}: the agent account (created, hidden, its password protected with DPAPI for the user who
 * ran setup) and the grant commands.
 */
package dev.mcpcontain.platform.windows.account;
