using System.CommandLine;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Replay;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision evidence verify</c>: proves a case's evidence is unchanged (sizes, SHA-256, manifest signature).</summary>
public static class EvidenceCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "evidence root: replay's --out or run's evidence.directory", Required = true };
        var caseId = new Option<string?>("--case") { Description = "verify this case only" };
        var all = new Option<bool>("--all") { Description = "verify every case under --dir (the default when --case is not given)" };
        var verify = new Command("verify", "Check every evidence object of a case against its signed manifest; exit 1 if anything does not match.") { dir, caseId, all };
        verify.SetAction(async (parsed, ct) => await VerifyAsync(parsed.GetValue(dir)!, parsed.GetValue(caseId), ct).ConfigureAwait(false));
        return new Command("evidence", "Work with stored evidence.") { verify };
    }

    private static async Task<int> VerifyAsync(string root, string? caseId, CancellationToken ct)
    {
        ManifestSigner? signer;
        try
        {
            if (!Directory.Exists(root)) throw new UsageException($"--dir '{root}' does not exist: pass the folder holding cases.jsonl");
            signer = ReplayRunner.Signer();
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"vision evidence verify: {e.Message}");
            return CommandLineEntry.UserError;
        }

        var verifier = new EvidenceVerifier(root, signer);
        var ids = caseId is null ? verifier.CaseIds() : [caseId];
        if (caseId is not null && !File.Exists(Path.Combine(root, caseId, CaseManifest.FileName)))
        {
            Console.Error.WriteLine($"vision evidence verify: no case '{caseId}' with a manifest under {root}");
            return CommandLineEntry.UserError;
        }

        int bad = 0;
        foreach (var id in ids)
        {
            var result = await verifier.VerifyAsync(id, ct).ConfigureAwait(false);
            if (result.Ok)
            {
                Console.WriteLine($"ok       {id}");
                continue;
            }
            bad++;
            Console.WriteLine($"MISMATCH {id}");
            foreach (var problem in result.Problems) Console.WriteLine($"         {problem}");
        }
        Console.WriteLine($"{ids.Count - bad} of {ids.Count} case(s) verified{(bad > 0 ? $", {bad} with problems" : "")}");
        return bad > 0 ? 1 : 0;
    }
}
