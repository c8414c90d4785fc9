using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenCvSharp;
using Vision.Models.Plates;

namespace Vision.PlateBench;

/// <summary>One labelled plate of ../shared/plates/labels.csv: its text and, when the label gives one, its box in the image.</summary>
internal sealed record LabelledPlate(string Text, string Colour, PlateBox? Box);

/// <summary>One row of labels.csv: an image (a scene or a crop) and the plates it shows.</summary>
internal sealed record LabelledImage(string File, string Kind, IReadOnlyList<LabelledPlate> Plates, string Notes);

/// <summary>Reads labels.csv (RFC 4180 quoting; several plates of a scene joined with '|' and ';').</summary>
internal static partial class PlateLabels
{
    public static List<LabelledImage> Read(string path)
    {
        var rows = Csv(File.ReadAllText(path, Encoding.UTF8));
        var header = rows[0];
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"{path}: no column '{name}'");
        int file = Col("file"), kind = Col("kind"), text = Col("plate_text"), colour = Col("plate_colour"), boxes = Col("plate_boxes"), notes = Col("notes");
        var images = new List<LabelledImage>();
        foreach (var row in rows.Skip(1).Where(r => r.Length > 1))
        {
            var texts = row[text].Split('|');
            var colours = row[colour].Split('|');
            var boxList = row[boxes].Length == 0 ? [] : row[boxes].Split(';');
            var plates = texts.Select((t, i) => new LabelledPlate(Clean(t), i < colours.Length ? colours[i] : "", i < boxList.Length ? ParseBox(boxList[i]) : null)).ToList();
            images.Add(new LabelledImage(row[file], row[kind], plates, row[notes]));
        }
        return images;
    }

    /// <summary>The label as plates are compared: no middle dot or spaces, and O scored as 0 (sources disagree on them).</summary>
    public static string Comparable(string plate) => Clean(plate).Replace('O', '0');

    private static string Clean(string plate) => new(plate.Where(c => c is not ('·' or ' ' or '•' or '-')).ToArray());

    private static PlateBox? ParseBox(string text)
    {
        var inv = CultureInfo.InvariantCulture;
        var rot = RotRect().Match(text);
        if (rot.Success)
        {
            float F(string g) => float.Parse(rot.Groups[g].Value, inv);
            var rect = new RotatedRect(new Point2f(F("cx"), F("cy")), new Size2f(F("w"), F("h")), F("a"));
            return Bounds(rect.Points());
        }
        var points = Point().Matches(text).Select(m => new Point2f(float.Parse(m.Groups[1].Value, inv), float.Parse(m.Groups[2].Value, inv))).ToArray();
        return points.Length == 4 ? Bounds(points) : null;
    }

    private static PlateBox Bounds(Point2f[] points)
    {
        int x = (int)points.Min(p => p.X), y = (int)points.Min(p => p.Y);
        return new PlateBox(x, y, (int)Math.Ceiling(points.Max(p => p.X)) - x, (int)Math.Ceiling(points.Max(p => p.Y)) - y);
    }

    private static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else field.Append(c);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add([.. row]); }
        return rows;
    }

    [GeneratedRegex(@"rotrect\(cx=(?<cx>[-\d.]+),cy=(?<cy>[-\d.]+),w=(?<w>[-\d.]+),h=(?<h>[-\d.]+),angle=(?<a>[-\d.]+)\)")]
    private static partial Regex RotRect();

    [GeneratedRegex(@"\(([-\d.]+),([-\d.]+)\)")]
    private static partial Regex Point();
}
