/**
 * Policy to plan, on Linux: {@link dev.mcpcontain.platform.linux.plan.LinuxPlanBuilder} compiles a containment
 * policy into the text plan the C helper carries out (operations: native/linux/plan_ops.def, mirrored by
 * {@code PlanOp}). One class per concern writes its steps; the host is asked only through {@code HostProbe}. Nothing
 * here starts a process or changes the host: {@code platform.linux} runs the plan.
 */
package dev.mcpcontain.platform.linux.plan;
