using System.Globalization;
using SkiaSharp;
using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tools.TraceVideo;

/// <summary>
/// Draws what the analyser knew of a frame onto it: zones with their names, every detection (class and score), every
/// track (its own colour; grey and dashed while coasting), a dwell clock under each object with an open episode, each
/// episode event as a label flashing on its object, and below the picture a strip with the frame's time and the last
/// events. Called on one thread, frames in order (the flashes and the log carry over from frame to frame).
/// </summary>
internal sealed class TraceOverlay : IDisposable
{
    /// <summary>The Confirmed label's fill: a colour street scenes hardly have, so a case's moment stands out.</summary>
    public static readonly SKColor ConfirmedColor = new(255, 0, 255);
    public static readonly SKColor StartedColor = new(0, 145, 255);
    public static readonly SKColor MidwayColor = new(255, 171, 0);
    public static readonly SKColor EndedColor = new(150, 150, 150);

    private const int LogLines = 5;
    private static readonly SKColor ZoneColor = new(255, 200, 0);
    private static readonly SKColor DetectionColor = new(235, 235, 235);
    private static readonly SKColor CoastingColor = new(160, 160, 160);
    private static readonly SKColor DwellCounting = new(255, 171, 0);
    private static readonly SKColor DwellConfirmed = new(0, 200, 83);
    private static readonly SKColor LabelBack = new(0, 0, 0, 170);
    private static readonly SKColor StripBack = new(24, 24, 24);
    // Distinct from each other and from the event colours; a track keeps its colour for its whole life.
    private static readonly SKColor[] TrackPalette =
    [
        new(0, 200, 83), new(41, 121, 255), new(255, 109, 0), new(0, 184, 212), new(255, 214, 0),
        new(124, 77, 255), new(100, 221, 23), new(255, 82, 82), new(29, 233, 182), new(255, 145, 0),
    ];

    private readonly int _width, _height;
    private readonly IReadOnlyList<string> _classNames;
    private readonly int _flashFrames;
    private readonly float _lineHeight, _pad;
    private readonly SKTypeface _typeface;
    private readonly SKFont _font, _smallFont;
    private readonly SKPaint _stroke = new() { Style = SKPaintStyle.Stroke, IsAntialias = true };
    private readonly SKPaint _fill = new() { Style = SKPaintStyle.Fill, IsAntialias = true };
    private readonly SKPaint _ink = new() { IsAntialias = true };
    private readonly SKPathEffect _dash;
    private readonly List<(SKPath Path, string Name, float X, float Y)> _zones = new();
    private IReadOnlyList<Zone>? _zonesDrawn;
    private readonly List<(EpisodeEvent Event, long Index)> _flashes = new();
    private readonly Queue<(string Text, SKColor Color)> _log = new();

    public TraceOverlay(int width, int height, double fps, IReadOnlyList<string> classNames)
    {
        _width = width;
        _height = height;
        _classNames = classNames;
        _flashFrames = Math.Max(3, (int)Math.Ceiling(1.5 * fps));
        float size = TextSize(width, height);
        _lineHeight = MathF.Round(size * 1.35f);
        _pad = MathF.Round(size * 0.5f);
        StripHeight = StripHeightFor(width, height);
        _typeface = CjkTypeface.Find() ?? SKTypeface.Default;
        _font = new SKFont(_typeface, size) { Subpixel = false };
        _smallFont = new SKFont(_typeface, MathF.Round(size * 0.75f)) { Subpixel = false };
        _dash = SKPathEffect.CreateDash([6f, 4f], 0);
    }

    /// <summary>Rows below the picture for the frame's time and the event log.</summary>
    public int StripHeight { get; }

    /// <summary>The strip's height for a picture of this size (the video is that much taller than the analysed frames).</summary>
    public static int StripHeightFor(int width, int height)
    {
        float size = TextSize(width, height);
        int strip = (int)(2 * MathF.Round(size * 0.5f) + (1 + LogLines) * MathF.Round(size * 1.35f));
        return strip + (strip & 1);
    }

    private static float TextSize(int width, int height) => Math.Max(13f, MathF.Round(Math.Min(width, height * 16f / 9f) / 72f));

    public void Draw(TraceFrame frame)
    {
        var canvas = frame.Canvas;
        canvas.Save();
        canvas.ClipRect(new SKRect(0, 0, _width, _height));
        DrawZones(canvas, frame);
        DrawDetections(canvas, frame);
        DrawTracks(canvas, frame);
        DrawDwellClocks(canvas, frame);
        DrawFlashes(canvas, frame);
        canvas.Restore();
        DrawStrip(canvas, frame);
        canvas.Flush();
    }

    private void DrawZones(SKCanvas canvas, TraceFrame frame)
    {
        if (!ReferenceEquals(frame.Camera.Zones, _zonesDrawn)) BuildZones(frame.Camera.Zones);
        foreach (var (path, name, x, y) in _zones)
        {
            _fill.Color = ZoneColor.WithAlpha(40);
            canvas.DrawPath(path, _fill);
            _stroke.Color = ZoneColor;
            _stroke.StrokeWidth = 2;
            _stroke.PathEffect = null;
            canvas.DrawPath(path, _stroke);
            DrawLabel(canvas, _font, name, x, y, ZoneColor, LabelBack);
        }
    }

    /// <summary>Outlines and name labels of the camera's zones, made again only when a config edit changes them.</summary>
    private void BuildZones(IReadOnlyList<Zone> zones)
    {
        foreach (var zone in _zones) zone.Path.Dispose();
        _zones.Clear();
        using var builder = new SKPathBuilder();
        foreach (var zone in zones)
        {
            var points = zone.Polygon.Points;
            builder.Reset();
            builder.MoveTo((float)(points[0].X * _width), (float)(points[0].Y * _height));
            for (int i = 1; i < points.Count; i++) builder.LineTo((float)(points[i].X * _width), (float)(points[i].Y * _height));
            builder.Close();
            // The name at the topmost corner, inside the outline.
            var top = points[0];
            foreach (var p in points)
                if (p.Y < top.Y || (p.Y == top.Y && p.X < top.X)) top = p;
            string name = zone.Name == zone.Id ? zone.Id : zone.Name + " · " + zone.Id;
            _zones.Add((builder.Snapshot(), name, (float)(top.X * _width) + 2, (float)(top.Y * _height) + 2));
        }
        _zonesDrawn = zones;
    }

    private void DrawDetections(SKCanvas canvas, TraceFrame frame)
    {
        _stroke.Color = DetectionColor;
        _stroke.StrokeWidth = 1;
        _stroke.PathEffect = null;
        foreach (var d in frame.Detections)
        {
            canvas.DrawRect(Rect(d.Box), _stroke);
            string label = ClassName(d.ClassId) + " " + d.Score.ToString("0.00", CultureInfo.InvariantCulture);
            DrawLabel(canvas, _smallFont, label, d.Box.X + 1, d.Box.Y + 1, DetectionColor, LabelBack);
        }
    }

    private void DrawTracks(SKCanvas canvas, TraceFrame frame)
    {
        foreach (var t in frame.Tracks)
        {
            var color = t.Visible ? TrackColor(t.TrackId) : CoastingColor;
            _stroke.Color = color;
            _stroke.StrokeWidth = t.Confirmed ? 2 : 1;
            _stroke.PathEffect = t.Visible ? null : _dash;
            canvas.DrawRect(Rect(t.Box), _stroke);
            string label = "#" + t.TrackId.ToString(CultureInfo.InvariantCulture) + (t.Visible ? "" : " coasting");
            DrawLabel(canvas, _font, label, t.Box.X, t.Box.Y - _lineHeight, SKColors.Black, color);
        }
        _stroke.PathEffect = null;
    }

    private void DrawDwellClocks(SKCanvas canvas, TraceFrame frame)
    {
        var clocks = frame.Clocks;
        float barHeight = Math.Max(4f, MathF.Round(_lineHeight * 0.3f));
        for (int i = 0; i < clocks.Count; i++)
        {
            var clock = clocks[i];
            if (FindBox(frame, clock.TrackId) is not { } box) continue;
            int stack = 0;
            for (int j = 0; j < i; j++) if (clocks[j].TrackId == clock.TrackId) stack++;

            var dwell = clock.Rule.Dwell;
            var elapsed = clock.Confirmed ? dwell : frame.CapturedAt - clock.StartedAt;
            float share = dwell <= TimeSpan.Zero ? 1f : (float)Math.Clamp(elapsed / dwell, 0, 1);
            float width = Math.Max(box.Width, 3 * _lineHeight);
            float x = Math.Clamp(box.X, 0, Math.Max(0, _width - width));
            float rowHeight = barHeight + _lineHeight + 2;
            float y = Math.Min(box.Bottom + 2 + stack * rowHeight, _height - (stack + 1) * rowHeight);

            _fill.Color = LabelBack;
            canvas.DrawRect(new SKRect(x, y, x + width, y + barHeight), _fill);
            _fill.Color = clock.Confirmed ? DwellConfirmed : DwellCounting;
            canvas.DrawRect(new SKRect(x, y, x + width * share, y + barHeight), _fill);
            string text = Seconds(elapsed, dwell) + "/" + Seconds(dwell, dwell) + " s";
            DrawLabel(canvas, _font, text, x, y + barHeight + 1, clock.Confirmed ? DwellConfirmed : DwellCounting, LabelBack);
        }
    }

    /// <summary>Each event's label stays on its object for about 1.5 s, filled and outlined in turn so it catches the eye.</summary>
    private void DrawFlashes(SKCanvas canvas, TraceFrame frame)
    {
        for (int i = _flashes.Count - 1; i >= 0; i--)
            if (frame.Index - _flashes[i].Index >= _flashFrames) _flashes.RemoveAt(i);
        foreach (var e in frame.Events)
        {
            _flashes.Add((e, frame.Index));
            Log(frame, e);
        }
        for (int i = 0; i < _flashes.Count; i++)
        {
            var (e, index) = _flashes[i];
            var box = FindBox(frame, e.TrackId) ?? (e.Box.Width > 0 ? e.Box : (BoundingBox?)null);
            if (box is not { } b) continue;
            int stack = 0;
            for (int j = 0; j < i; j++) if (_flashes[j].Event.TrackId == e.TrackId) stack++;
            var color = KindColor(e.Kind);
            bool filled = (frame.Index - index) % 2 == 0;
            // The rule is in the log below; on the object the kind alone keeps crowded scenes readable.
            DrawLabel(canvas, _font, Kind(e), b.X, b.Y - (2 + stack) * _lineHeight, filled ? SKColors.White : color, filled ? color : LabelBack);
        }
    }

    private void Log(TraceFrame frame, EpisodeEvent e)
    {
        string started = e.Kind == EpisodeEventKind.Started ? "" : "  started " + Clock(frame.StreamTime - (e.At - e.StartedAt));
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{Clock(frame.StreamTime)}  {Kind(e),-9}  {e.Rule.Id}  #{e.TrackId} {ClassName(e.ClassId)}  episode {e.EpisodeId}{started}");
        _log.Enqueue((text, KindColor(e.Kind)));
        while (_log.Count > LogLines) _log.Dequeue();
    }

    private void DrawStrip(SKCanvas canvas, TraceFrame frame)
    {
        _fill.Color = StripBack;
        canvas.DrawRect(new SKRect(0, _height, _width, _height + StripHeight), _fill);
        float y = _height + _pad;
        string header = string.Create(CultureInfo.InvariantCulture,
            $"{frame.Camera.Id}  frame {frame.Index}  {Clock(frame.StreamTime)}  {frame.CapturedAt:yyyy-MM-dd HH:mm:ss.ff zzz}  detections {frame.Detections.Count}  tracks {frame.Tracks.Count}  open {frame.Clocks.Count}");
        _ink.Color = SKColors.White;
        canvas.DrawText(header, _pad, Baseline(y, _lineHeight, _font), SKTextAlign.Left, _font, _ink);
        foreach (var (text, color) in _log)
        {
            y += _lineHeight;
            _ink.Color = color == EndedColor ? SKColors.LightGray : color;
            canvas.DrawText(text, _pad, Baseline(y, _lineHeight, _font), SKTextAlign.Left, _font, _ink);
        }
    }

    private void DrawLabel(SKCanvas canvas, SKFont font, string text, float x, float y, SKColor ink, SKColor back)
    {
        float width = font.MeasureText(text) + 6;
        float height = MathF.Round(font.Size * 1.3f);
        x = Math.Clamp(x, 0, Math.Max(0, _width - width));
        y = Math.Clamp(y, 0, Math.Max(0, _height - height));
        _fill.Color = back;
        canvas.DrawRect(new SKRect(x, y, x + width, y + height), _fill);
        _ink.Color = ink;
        canvas.DrawText(text, x + 3, Baseline(y, height, font), SKTextAlign.Left, font, _ink);
    }

    /// <summary>The baseline that centres a line of text (Latin and CJK alike) in a row starting at <paramref name="top"/>.</summary>
    private static float Baseline(float top, float height, SKFont font) => top + height / 2 + font.Size * 0.36f;

    private static BoundingBox? FindBox(TraceFrame frame, int trackId)
    {
        foreach (var t in frame.Tracks)
            if (t.TrackId == trackId) return t.Box;
        return null;
    }

    private static SKRect Rect(in BoundingBox b) => new(b.X, b.Y, b.Right, b.Bottom);

    private static SKColor TrackColor(int id) => TrackPalette[(int)((uint)id % (uint)TrackPalette.Length)];

    private static string Kind(EpisodeEvent e) =>
        e.Kind == EpisodeEventKind.Ended && e.WasConfirmed ? "Ended (case)" : e.Kind.ToString();

    private static SKColor KindColor(EpisodeEventKind kind) => kind switch
    {
        EpisodeEventKind.Started => StartedColor,
        EpisodeEventKind.Midway => MidwayColor,
        EpisodeEventKind.Confirmed => ConfirmedColor,
        _ => EndedColor,
    };

    private string ClassName(int classId) => (uint)classId < (uint)_classNames.Count ? _classNames[classId] : classId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whole seconds for a dwell of 10 s or more ("12/20 s"), tenths below it ("2.5/5 s").</summary>
    private static string Seconds(TimeSpan t, TimeSpan dwell) =>
        t.TotalSeconds.ToString(dwell >= TimeSpan.FromSeconds(10) ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static string Clock(TimeSpan t) =>
        (t < TimeSpan.Zero ? TimeSpan.Zero : t).ToString(t.TotalHours >= 1 ? @"h\:mm\:ss\.ff" : @"mm\:ss\.ff", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var zone in _zones) zone.Path.Dispose();
        _dash.Dispose();
        _stroke.Dispose();
        _fill.Dispose();
        _ink.Dispose();
        _font.Dispose();
        _smallFont.Dispose();
        _typeface.Dispose();
    }
}
