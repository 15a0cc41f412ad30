/**
 * Who may open what: SIDs (capability and AppContainer SIDs derived in pure Java), SDDL strings, ACE bytes, the
 * folder-grant ledger and the reconciler that makes folders match it, and the shell's known folders.
 */
package dev.mcpcontain.platform.windows.acl;
