package dev.mcpcontain.profile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Merges a profile over the profile it extends and fills defaults. Scalars of the child win; lists add to the
 * parent's (a child of {@code default} keeps default's grants and passes and adds its own); maps merge by key.
 */
final class ProfileMerger {

    /** Limits that apply when no profile in the chain sets them: generous for node/python/JVM servers. */
    static final Profile.Limits DEFAULT_LIMITS = new Profile.Limits(
            ByteSize.parse("2G"), 512, null, null, 4096, ByteSize.parse("1G"), ByteSize.parse("256M"),
            ByteSize.parse("2G"));

    private ProfileMerger() {}

    static Profile overlay(Profile parent, Profile child) {
        return new Profile(
                child.schema(),
                pick(child.description(), parent.description()),
                null,
                pick(child.isolation(), parent.isolation()),
                pick(child.network(), parent.network()),
                concat(parent.grants(), child.grants()),
                env(parent.env(), child.env()),
                limits(parent.limits(), child.limits()),
                tools(parent.tools(), child.tools()),
                pick(child.agentUser(), parent.agentUser()),
                networkAllow(parent, child),
                pick(child.accept(), parent.accept()));
    }

    static Profile withDefaults(Profile p) {
        return new Profile(
                null,
                p.description() == null ? "" : p.description(),
                null,
                pick(p.isolation(), Profile.Isolation.FULL),
                pick(p.network(), Profile.Network.NONE),
                p.grants() == null ? List.of() : List.copyOf(p.grants()),
                env(new Profile.EnvSettings(List.of(), Map.of(), List.of()), p.env()),
                limits(DEFAULT_LIMITS, p.limits()),
                tools(new Profile.ToolRules(List.of(), List.of(), Map.of(),
                        dev.mcpcontain.approval.DefaultApproval.ALLOW), p.tools()),
                pick(p.agentUser(), "mcp-agent"),
                p.network() == Profile.Network.ALLOW_LIST ? List.copyOf(p.networkAllow()) : List.of(),
                p.accept() == null ? List.of() : List.copyOf(p.accept()));
    }

    /** An allow-list adds to the parent's allow-list; a child's "none" or "host" replaces it. */
    private static List<String> networkAllow(Profile parent, Profile child) {
        if (child.network() == null) {
            return parent.networkAllow();
        }
        if (child.network() != Profile.Network.ALLOW_LIST) {
            return null;
        }
        return parent.network() == Profile.Network.ALLOW_LIST ? concat(parent.networkAllow(), child.networkAllow())
                : child.networkAllow();
    }

    private static <T> T pick(T child, T parent) {
        return child != null ? child : parent;
    }

    private static <T> List<T> concat(List<T> parent, List<T> child) {
        if (parent == null) {
            return child;
        }
        if (child == null) {
            return parent;
        }
        LinkedHashSet<T> all = new LinkedHashSet<>(parent);
        all.addAll(child);
        return new ArrayList<>(all);
    }

    private static Profile.EnvSettings env(Profile.EnvSettings parent, Profile.EnvSettings child) {
        if (parent == null) {
            return child;
        }
        if (child == null) {
            return parent;
        }
        return new Profile.EnvSettings(concat(parent.pass(), child.pass()),
                ProfileStore.mergeMaps(parent.set(), child.set()), concat(parent.sensitive(), child.sensitive()));
    }

    private static Profile.Limits limits(Profile.Limits parent, Profile.Limits child) {
        if (parent == null) {
            return child;
        }
        if (child == null) {
            return parent;
        }
        return new Profile.Limits(
                pick(child.memory(), parent.memory()),
                pick(child.processes(), parent.processes()),
                pick(child.cpus(), parent.cpus()),
                pick(child.cpuSeconds(), parent.cpuSeconds()),
                pick(child.openFiles(), parent.openFiles()),
                pick(child.fileSize(), parent.fileSize()),
                pick(child.tmpSize(), parent.tmpSize()),
                pick(child.homeSize(), parent.homeSize()));
    }

    private static Profile.ToolRules tools(Profile.ToolRules parent, Profile.ToolRules child) {
        if (parent == null) {
            return child;
        }
        if (child == null) {
            return parent;
        }
        // Approval entries: the child's come first (its globs are tried first) and replace the parent's of the same name.
        java.util.LinkedHashMap<String, dev.mcpcontain.approval.ApprovalEntry> approval = new java.util.LinkedHashMap<>();
        if (child.approval() != null) {
            approval.putAll(child.approval());
        }
        if (parent.approval() != null) {
            for (Map.Entry<String, dev.mcpcontain.approval.ApprovalEntry> entry : parent.approval().entrySet()) {
                approval.putIfAbsent(entry.getKey(), entry.getValue());
            }
        }
        return new Profile.ToolRules(concat(parent.allow(), child.allow()), concat(parent.deny(), child.deny()),
                approval, pick(child.defaultApproval(), parent.defaultApproval()));
    }
}
