using System.Globalization;
using Vision.Models.Plates;

namespace Vision.PlateBench;

/// <summary>Scores of one set of labelled plates: exact, wrong (a valid plate that is not the label), unreadable, characters, time.</summary>
internal sealed class PlateTally(string name)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private int _plates, _exact, _wrong, _unreadable, _images;
    private double _characterScore, _milliseconds;

    public string Name { get; } = name;

    public List<string> Misses { get; } = [];

    public void AddImage(double milliseconds)
    {
        _images++;
        _milliseconds += milliseconds;
    }

    /// <summary>Scores the reading chosen for <paramref name="label"/> (null when none was near it).</summary>
    public void Add(string image, string label, PlateReading? reading)
    {
        _plates++;
        string truth = PlateLabels.Comparable(label);
        string read = reading is null ? "" : PlateLabels.Comparable(reading.Text ?? PlateFormat.Clean(reading.RawText));
        _characterScore += Math.Max(0, 1 - (double)Levenshtein(read, truth) / truth.Length);
        if (reading?.Text is null)
        {
            _unreadable++;
            Misses.Add($"  unreadable {image} {label}: {(reading is null ? "no text line near the plate" : reading.Reason)}");
        }
        else if (PlateLabels.Comparable(reading.Text) == truth) _exact++;
        else
        {
            _wrong++;
            Misses.Add(string.Create(Inv, $"  WRONG      {image} {label}: read {reading.Text} (confidence {reading.Confidence:0.000}, weakest {reading.WeakestCharacter:0.000})"));
        }
    }

    public string Row() => _plates == 0
        ? $"| {Name} | 0 | – | – | – | – | – |"
        : string.Create(Inv,
            $"| {Name} | {_images} ({_plates} plates) | {Pct(_exact)} | {_characterScore / _plates:P1} | {Pct(_unreadable)} | {Pct(_wrong)} ({_wrong}) | {_milliseconds / Math.Max(1, _images):0} |");

    public const string Header =
        "| set | images | exact plate | character accuracy | unreadable | WRONG plate | ms per image |\n| --- | --- | --- | --- | --- | --- | --- |";

    private string Pct(int count) => ((double)count / _plates).ToString("P1", Inv);

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
