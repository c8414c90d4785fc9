using System.Globalization;
using Vision.Rules.Config;

namespace Vision.TakeoverBench;

/// <summary>What one run measures; parsed from the command line.</summary>
public sealed record TakeoverOptions(int Cameras, int Kills, TimeSpan Lease, TimeSpan Heartbeat, bool Keep)
{
    public const string Usage = """
        usage: Vision.TakeoverBench [--cameras N] [--kills N] [--lease D] [--heartbeat D] [--keep]
          --cameras N     file cameras the 3 nodes share (default 12)
          --kills N       nodes SIGKILLed one after another, round robin (default 5)
          --lease D       cluster.lease written into the config (default 15s)
          --heartbeat D   cluster.heartbeat written into the config (default 3s; at most half the lease)
          --keep          keep the work folder (configs, node logs) at the end
        Durations as in vision.yaml: 15s, 500ms, 1m.
        """;

    /// <exception cref="ArgumentException">an unknown flag or a bad value; the message names it and says what is allowed</exception>
    public static TakeoverOptions Parse(IReadOnlyList<string> args)
    {
        int cameras = 12, kills = 5;
        TimeSpan lease = TimeSpan.FromSeconds(15), heartbeat = TimeSpan.FromSeconds(3);
        bool keep = false;
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value\n{Usage}");
            switch (flag)
            {
                case "--cameras": cameras = Positive(flag, Value()); break;
                case "--kills": kills = Positive(flag, Value()); break;
                case "--lease": lease = Duration(flag, Value()); break;
                case "--heartbeat": heartbeat = Duration(flag, Value()); break;
                case "--keep": keep = true; break;
                default: throw new ArgumentException($"unknown argument '{flag}'\n{Usage}");
            }
        }
        // Vision refuses these too, but only once three nodes are starting: said here first, in the bench's terms.
        if (heartbeat < TimeSpan.FromMilliseconds(500))
            throw new ArgumentException($"--heartbeat {ConfigDuration.Format(heartbeat)}: Vision needs at least 500ms");
        if (heartbeat * 2 > lease)
            throw new ArgumentException($"--heartbeat {ConfigDuration.Format(heartbeat)} with --lease {ConfigDuration.Format(lease)}: the heartbeat must be at most half the lease");
        return new TakeoverOptions(cameras, kills, lease, heartbeat, keep);
    }

    private static int Positive(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{flag} '{text}': give a whole number above 0\n{Usage}");

    private static TimeSpan Duration(string flag, string text) =>
        ConfigDuration.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"{flag} '{text}': give a positive duration ({ConfigDuration.Examples})\n{Usage}");
}
