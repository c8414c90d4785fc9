using System.Globalization;

namespace Vision.ClusterBench;

/// <summary>What one run measures and how much; parsed from the command line.</summary>
public sealed record BenchOptions(int QueueCases, int PathCases, IReadOnlyList<int> Writers, int RecordBytes, int Runs)
{
    public const string Usage = """
        usage: Vision.ClusterBench [--cases N] [--path-cases N] [--writers 1,4,16] [--record-bytes N] [--runs N] [--quick]
          --cases N         cases in each review-queue database (default 1000000)
          --path-cases N    cases through the case path per step (default 2000)
          --writers LIST    concurrent PostgreSQL writers per step (default 1,4,16)
          --record-bytes N  target size of a case's record JSON (default 1500)
          --runs N          timed runs of each review-queue query (default 20)
          --quick           smoke run: --cases 20000 --path-cases 200 --runs 5 unless given
        """;

    /// <exception cref="ArgumentException">an unknown flag or a bad value; the message names it and says what is allowed</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        bool quick = args.Contains("--quick");
        int? cases = null, pathCases = null, recordBytes = null, runs = null;
        IReadOnlyList<int>? writers = null;
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            if (flag == "--quick") continue;
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value\n{Usage}");
            switch (flag)
            {
                case "--cases": cases = Positive(flag, Value()); break;
                case "--path-cases": pathCases = Positive(flag, Value()); break;
                case "--record-bytes": recordBytes = Positive(flag, Value()); break;
                case "--runs": runs = Positive(flag, Value()); break;
                case "--writers": writers = Value().Split(',').Select(w => Positive(flag, w.Trim())).ToList(); break;
                default: throw new ArgumentException($"unknown argument '{flag}'\n{Usage}");
            }
        }
        return new BenchOptions(
            cases ?? (quick ? 20_000 : 1_000_000),
            pathCases ?? (quick ? 200 : 2_000),
            writers ?? [1, 4, 16],
            recordBytes ?? 1_500,
            runs ?? (quick ? 5 : 20));
    }

    private static int Positive(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{flag} '{text}': give a whole number above 0\n{Usage}");
}
