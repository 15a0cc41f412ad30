/**
 * What a Windows launch will do, decided without touching the system: the launch plan, the job limits, the folder
 * entries a policy needs, the AppContainer name of a configuration, what the child must be before it is resumed, and
 * the plan handed to a second stage (inner launcher, broker). Pure Java; {@code --dry-run} prints it.
 */
package dev.mcpcontain.platform.windows.plan;
