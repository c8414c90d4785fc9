using OpenCvSharp;

namespace Vision.Models.Plates;

/// <summary>
/// Joins text lines the detector split at a plate's middle dot ("京A" and "12345"): neighbours on the same baseline, of
/// about the same height, with a gap under <see cref="MaxGap"/> of their height.
/// </summary>
internal static class TextLineJoiner
{
    /// <summary>Widest gap between two parts of one line, in line heights (a plate's dot gap is about half a character height).</summary>
    public const float MaxGap = 0.8f;

    private const float MinVerticalOverlap = 0.6f;
    private const float MaxHeightRatio = 1.5f;

    /// <summary>Groups of lines that form one line, each in left-to-right order; single lines are groups of one.</summary>
    public static List<List<TextLine>> Groups(IReadOnlyList<TextLine> lines)
    {
        var groups = lines.OrderBy(l => Left(l.Corners)).ThenBy(l => Top(l.Corners)).Select(l => new List<TextLine> { l }).ToList();
        bool joined = true;
        while (joined)
        {
            joined = false;
            for (int i = 0; i < groups.Count && !joined; i++)
            {
                for (int j = 0; j < groups.Count && !joined; j++)
                {
                    if (i == j || !Follows(groups[i][^1], groups[j][0])) continue;
                    groups[i].AddRange(groups[j]);
                    groups.RemoveAt(j);
                    joined = true;
                }
            }
        }
        return groups;
    }

    /// <summary>One line covering the whole group.</summary>
    public static TextLine Merge(List<TextLine> group)
    {
        if (group.Count == 1) return group[0];
        var rect = Cv2.MinAreaRect(group.SelectMany(l => l.Corners));
        return new TextLine(TextDetector.Order(rect.Points()), group.Min(l => l.Score));
    }

    private static bool Follows(TextLine left, TextLine right)
    {
        float leftTop = Top(left.Corners), leftBottom = Bottom(left.Corners), rightTop = Top(right.Corners), rightBottom = Bottom(right.Corners);
        float leftHeight = leftBottom - leftTop, rightHeight = rightBottom - rightTop;
        if (leftHeight <= 0 || rightHeight <= 0) return false;
        if (Math.Max(leftHeight, rightHeight) > MaxHeightRatio * Math.Min(leftHeight, rightHeight)) return false;
        float overlap = Math.Min(leftBottom, rightBottom) - Math.Max(leftTop, rightTop);
        if (overlap < MinVerticalOverlap * Math.Min(leftHeight, rightHeight)) return false;
        float gap = Left(right.Corners) - Right(left.Corners);
        float height = Math.Max(leftHeight, rightHeight);
        return gap <= MaxGap * height && gap >= -0.3f * height && Left(right.Corners) > Left(left.Corners);
    }

    private static float Left(Point2f[] c) => Math.Min(Math.Min(c[0].X, c[1].X), Math.Min(c[2].X, c[3].X));

    private static float Right(Point2f[] c) => Math.Max(Math.Max(c[0].X, c[1].X), Math.Max(c[2].X, c[3].X));

    private static float Top(Point2f[] c) => Math.Min(Math.Min(c[0].Y, c[1].Y), Math.Min(c[2].Y, c[3].Y));

    private static float Bottom(Point2f[] c) => Math.Max(Math.Max(c[0].Y, c[1].Y), Math.Max(c[2].Y, c[3].Y));
}
