using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Upload;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision cases …</c> for ops: list and show cases with their review status and delivery state, list dead letters,
/// resend a case to the dispatch core, and confirm or reject a case from the command line. Works on the case database
/// of a config's <c>evidence.directory</c>, also while <c>vision run</c> is running (SQLite WAL); a running service
/// picks up resends and confirmations within a second.
/// </summary>
internal static class CasesCommand
{
    private const string ConfigHelp = "the config of 'vision run' (its evidence.directory holds the case database)";

    public static Command Create() => new("cases", "Cases, their review status and their delivery to the dispatch core.")
    {
        ListCommand(), ShowCommand(), DeadLettersCommand(), ResendCommand(), ReviewCommand(confirm: true), ReviewCommand(confirm: false),
        ExportLabelsCommand.Create(),
    };

    private static Command ListCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var status = new Option<string?>("--status") { Description = "auto_captured, confirmed, rejected or dispatched" };
        var camera = new Option<string?>("--camera") { Description = "one camera id" };
        var type = new Option<string?>("--type") { Description = "illegal_parking, street_stall or litter" };
        var plate = new Option<string?>("--plate") { Description = "cases whose plate contains this text (e.g. 京A12345, or part of it: A123)" };
        var limit = new Option<int>("--limit") { Description = "most cases to list (newest first)", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List cases, newest first, with their plate, status and delivery state.") { config, status, camera, type, plate, limit };
        list.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("cases list", async () =>
        {
            var (store, outbox, _) = Open(parsed.GetValue(config)!);
            CaseStatus? wanted = null;
            if (parsed.GetValue(status) is { } s)
                wanted = CaseStatusNames.TryParse(s, out var parsedStatus) ? parsedStatus : throw new UsageException($"--status '{s}' is not one of auto_captured, confirmed, rejected, dispatched");
            var query = new CaseQuery(wanted, parsed.GetValue(camera), parsed.GetValue(type), Limit: parsed.GetValue(limit), Plate: CaseQuery.NormalisePlateSearch(parsed.GetValue(plate)));
            var rows = await store.ListAsync(query, ct).ConfigureAwait(false);
            var counts = await store.CountByStatusAsync(query, ct).ConfigureAwait(false);
            Console.WriteLine($"{"case",-44} {"camera",-14} {"violation",-16} {"plate",-10} {"confirmed (UTC)",-20} {"status",-14} delivery");
            foreach (var c in rows)
            {
                var message = await outbox.FindByCaseAsync(c.CaseId, ct).ConfigureAwait(false);
                string delivery = message is null ? "-" : $"{Outbox.Wire(message.State)}{(message.Attempts > 0 ? $" ({message.Attempts} attempt(s))" : "")}";
                Console.WriteLine($"{c.CaseId,-44} {c.CameraId,-14} {c.Violation,-16} {c.Plate ?? "-",-10} {c.ConfirmedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {c.Status.ToWire(),-14} {delivery}");
            }
            Console.WriteLine(string.Join(", ", counts.Select(p => $"{p.Key.ToWire()} {p.Value}")));
            return 0;
        }).ConfigureAwait(false));
        return list;
    }

    private static Command ShowCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var caseId = new Option<string>("--case") { Description = "the case id", Required = true };
        var show = new Command("show", "Show one case: the record the dispatch core gets (or the case record without dispatch), its history and delivery.") { config, caseId };
        show.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("cases show", async () =>
        {
            var (loaded, catalog) = EvidenceCommand.OpenCatalog(parsed.GetValue(config)!);
            var store = new CaseStore(catalog.Database);
            string id = parsed.GetValue(caseId)!;
            var c = await store.FindAsync(id, ct).ConfigureAwait(false) ?? throw new UsageException($"no case '{id}' in {catalog.Database.Description}");
            string record = c.RecordJson;
            if (loaded.Dispatch is { } dispatch)
            {
                using var evidenceStore = EvidenceStoreFactory.Create(loaded.Evidence);
                var source = new DispatchCaseSource(store, catalog, evidenceStore, loaded.Evidence.Store.PresignExpiry);
                if (await source.BuildAsync(id, loaded, dispatch, ct).ConfigureAwait(false) is { } built) record = Encoding.UTF8.GetString(built.Body);
            }
            Console.WriteLine(Pretty(record));
            Console.WriteLine("history:");
            foreach (var h in await store.HistoryAsync(id, ct).ConfigureAwait(false))
                Console.WriteLine($"  {h.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z {h.Status.ToWire(),-14} {h.Actor}{(h.Reason is null ? "" : $" reason={h.Reason}")}{(h.Note is null ? "" : $" note={h.Note}")}");
            if (await new Outbox(catalog.Database).FindByCaseAsync(id, ct).ConfigureAwait(false) is { } m)
                Console.WriteLine($"delivery: {Outbox.Wire(m.State)}, {m.Attempts} attempt(s){(m.LastStatus is { } st ? $", last answer {st}" : "")}{(m.LastError is null ? "" : $", last error: {m.LastError}")}{(m.Receipt is null ? "" : $", receipt: {m.Receipt}")}");
            else
                Console.WriteLine("delivery: not released (evidence not stored yet, waiting for review, or dispatch not configured)");
            return 0;
        }).ConfigureAwait(false));
        return show;
    }

    private static Command DeadLettersCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var command = new Command("dead-letters", "Cases the publisher gave up on, with the reason; fix the cause, then 'vision cases resend'.") { config };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("cases dead-letters", async () =>
        {
            var (_, outbox, _) = Open(parsed.GetValue(config)!);
            var dead = await outbox.ListAsync(OutboxState.Dead, 10_000, ct).ConfigureAwait(false);
            foreach (var m in dead)
                Console.WriteLine($"{m.CaseId}  {m.Attempts} attempt(s), last {m.LastAttemptAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z: {m.LastError}");
            Console.WriteLine($"{dead.Count} dead letter(s)");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command ResendCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var caseId = new Option<string?>("--case") { Description = "the case to send again" };
        var allDead = new Option<bool>("--all-dead") { Description = "send every dead letter again" };
        var command = new Command("resend", "Send a case (or every dead letter) to the dispatch core again; the receiver's idempotency makes a repeat harmless.") { config, caseId, allDead };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("cases resend", async () =>
        {
            var (_, outbox, path) = Open(parsed.GetValue(config)!);
            string? id = parsed.GetValue(caseId);
            if ((id is null) == !parsed.GetValue(allDead)) throw new UsageException("give either --case ID or --all-dead");
            var ids = id is not null ? [id] : (await outbox.ListAsync(OutboxState.Dead, 100_000, ct).ConfigureAwait(false)).Select(m => m.CaseId).ToList();
            foreach (var one in ids)
            {
                if (!await outbox.ResendAsync(one, DateTimeOffset.UtcNow, ct).ConfigureAwait(false))
                    throw new UsageException($"case '{one}' cannot be sent: it is unknown in {path}, rejected, or its evidence is not in the store yet");
                Console.WriteLine($"queued: {one}");
            }
            Console.WriteLine($"{ids.Count} case(s) queued; a running 'vision run' delivers them within a second");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command ReviewCommand(bool confirm)
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var caseId = new Option<string>("--case") { Description = "the case id", Required = true };
        var by = new Option<string>("--by") { Description = "who decided (officer's account)", Required = true };
        var reason = new Option<string?>("--reason") { Description = "rejections: false_detection, permitted, duplicate, evidence_unclear or other", Required = !confirm };
        var note = new Option<string?>("--note") { Description = $"free text, at most {DecisionText.MaxNote} characters" };
        var command = confirm
            ? new Command("confirm", "Confirm a case (rules with 'dispatch: after_review' are sent now).") { config, caseId, by, note }
            : new Command("reject", "Reject a case as a false alarm, with the reason.") { config, caseId, by, reason, note };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync($"cases {command.Name}", async () =>
        {
            var loaded = VisionConfigLoader.Load(parsed.GetValue(config)!);
            var store = new CaseStore(RunCommand.OpenDatabase(loaded));
            string id = parsed.GetValue(caseId)!;
            var found = await store.FindAsync(id, ct).ConfigureAwait(false) ?? throw new UsageException($"no case '{id}' in {store.Database.Description}");
            var entry = new CaseHistoryEntry(confirm ? CaseStatus.Confirmed : CaseStatus.Rejected, DateTimeOffset.UtcNow, parsed.GetValue(by), parsed.GetValue(reason), parsed.GetValue(note), "cli");
            try
            {
                await store.ReviewAsync(id, entry.Status, entry, ReviewConsole.CaseRelease.PolicyOf(loaded, found.CameraId, found.RuleId), ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new UsageException(e.Message);
            }
            catch (DecisionTextTooLongException e)
            {
                throw new UsageException($"--{(e.Field == "actor" ? "by" : e.Field)}: at most {e.Limit} characters; shorten it (nothing was recorded)");
            }
            Console.WriteLine($"{entry.Status.ToWire()}: {id}");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static (CaseStore Cases, Outbox Outbox, string Path) Open(string configPath)
    {
        var (_, catalog) = EvidenceCommand.OpenCatalog(configPath);
        return (new CaseStore(catalog.Database), new Outbox(catalog.Database), catalog.Database.Description);
    }

    private static string Pretty(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
