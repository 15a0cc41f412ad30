package dev.mcpcontain.platform.windows.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mcpcontain.platform.windows.Win32;
import dev.mcpcontain.platform.windows.acl.CapabilitySids;
import dev.mcpcontain.platform.windows.acl.Sid;
import dev.mcpcontain.policy.ContainmentPolicy;
import dev.mcpcontain.policy.ResourceLimits;
import dev.mcpcontain.profile.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the outer launcher hands the inner launcher (running as the agent account) in a file only the two can read:
 * the decided plan, never a policy to decide again. The folder grants are already in place; the inner launcher
 * creates the AppContainer, token, job and process as the agent, on the desktop the outer one made.
 */
public record InnerPlan(
        @JsonProperty("serverId") String serverId,
        @JsonProperty("profileName") String profileName,
        @JsonProperty("application") String application,
        @JsonProperty("commandLine") String commandLine,
        @JsonProperty("environmentBlock") String environmentBlock,
        @JsonProperty("currentDirectory") String currentDirectory,
        @JsonProperty("limitFlags") int limitFlags,
        @JsonProperty("activeProcessLimit") int activeProcessLimit,
        @JsonProperty("jobMemoryLimit") long jobMemoryLimit,
        @JsonProperty("perProcessUserTimeLimit") long perProcessUserTimeLimit,
        @JsonProperty("uiRestrictions") int uiRestrictions,
        @JsonProperty("cpuRate") int cpuRate,
        @JsonProperty("appContainerName") String appContainerName,
        @JsonProperty("appContainerSid") String appContainerSid,
        @JsonProperty("capabilities") List<String> capabilities,
        @JsonProperty("desktop") String desktop,
        @JsonProperty("agentSid") String agentSid,
        @JsonProperty("retiredProfiles") List<String> retiredProfiles) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public static InnerPlan of(WindowsLaunchPlan plan, String desktop, List<String> retiredProfiles) {
        WindowsLaunchPlan.AppContainer ac = plan.appContainer().orElseThrow(
                () -> new IllegalArgumentException("an agent account is only used with an AppContainer"));
        JobLimits job = plan.job();
        return new InnerPlan(plan.policy().serverId(), plan.policy().profileName(), plan.application(),
                plan.commandLine(), plan.environmentBlock(), plan.currentDirectory(), job.limitFlags(),
                job.activeProcessLimit(), job.jobMemoryLimit(), job.perProcessUserTimeLimit(), job.uiRestrictions(),
                job.cpuRate().orElse(0), ac.name(), ac.sid().toString(), ac.capabilities(), desktop,
                plan.verification().user().orElseThrow().toString(), List.copyOf(retiredProfiles));
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static InnerPlan fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, InnerPlan.class);
    }

    /** The plan the inner launcher carries out: the same sequence, with grants already made and the desktop given. */
    public WindowsLaunchPlan toLaunchPlan() {
        Sid sid = Sid.parse(appContainerSid);
        if (!CapabilitySids.appContainer(appContainerName).equals(sid)) {
            throw new IllegalArgumentException("hand-over names AppContainer " + appContainerName + " with SID " + sid);
        }
        WindowsLaunchPlan.AppContainer ac = new WindowsLaunchPlan.AppContainer(appContainerName, sid, capabilities);
        JobLimits job = new JobLimits(limitFlags, activeProcessLimit, jobMemoryLimit, perProcessUserTimeLimit,
                uiRestrictions, cpuRate > 0 ? OptionalInt.of(cpuRate) : OptionalInt.empty());
        ChildVerification verification = new ChildVerification(Optional.of(sid), ac.capabilitySids(),
                Win32.SECURITY_MANDATORY_LOW_RID, true, false, Optional.of(Sid.parse(agentSid)));
        // Only what the sequence reads is real here; the policy was decided by the outer launcher.
        ContainmentPolicy policy = new ContainmentPolicy(serverId, profileName, List.of(application),
                Path.of(currentDirectory), Map.of(), Set.of(), List.of(), Profile.Isolation.FULL,
                capabilities.isEmpty() ? Profile.Network.NONE : Profile.Network.HOST,
                new ResourceLimits(jobMemoryLimit, activeProcessLimit, OptionalDouble.empty(), OptionalInt.empty(), 0, 0, 0),
                Path.of(currentDirectory), "", List.of(), List.of());
        return WindowsLaunchPlan.builder(policy)
                .mode("windows/appcontainer (inner launcher)")
                .process(application, commandLine, environmentBlock, currentDirectory)
                .job(job)
                .appContainer(ac)
                .restrictedToken(true)
                .existingDesktop(desktop)
                .verification(verification)
                .build();
    }
}
