using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>When a case may go to the dispatch core under a config: its rule's dispatch policy, or never when dispatch is not configured.</summary>
/// <remarks>Here because this is the lowest project that sees both the config and the case store; the pipeline's upload stage, <c>vision cases</c> and the console's decisions ask it.</remarks>
public static class CaseRelease
{
    /// <summary>The release policy of a case of <paramref name="ruleId"/> on <paramref name="cameraId"/>; a rule no longer configured follows the default.</summary>
    public static ReleasePolicy PolicyOf(VisionConfig config, string cameraId, string ruleId)
    {
        if (config.Dispatch is not { } dispatch) return ReleasePolicy.Never;
        var rule = config.FindCamera(cameraId)?.Rules.FirstOrDefault(r => r.Id == ruleId);
        var policy = rule is null ? dispatch.Send : dispatch.PolicyFor(rule);
        return policy == DispatchPolicy.AfterReview ? ReleasePolicy.AfterReview : ReleasePolicy.OnDetection;
    }
}
