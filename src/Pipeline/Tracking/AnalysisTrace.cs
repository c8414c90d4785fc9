using System.Globalization;
using System.Text.Json;
using Vision.Models;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// Writes what the analyser saw in each frame (detections, tracks, episode events) as JSON lines, for
/// engineers tuning zones and thresholds on recorded footage (<c>vision replay --trace FILE</c>).
/// </summary>
internal sealed class AnalysisTrace : IAnalysedFrameObserver, IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;
    private readonly IReadOnlyList<string> _classNames;

    public AnalysisTrace(string path, IReadOnlyList<string> classNames)
    {
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _classNames = classNames;
    }

    void IAnalysedFrameObserver.Observe(CameraConfig camera, AnalysisFrame frame, ReadOnlySpan<Appearance> looks, IReadOnlyList<Track> tracks,
        CameraRuleEvaluator rules, List<EpisodeEvent> events) =>
        Write(frame.CapturedAt, frame.StreamTime, frame.Detections, tracks, events);

    public void Write(DateTimeOffset at, TimeSpan streamTime, IReadOnlyList<Detection> detections, IReadOnlyList<Track> tracks, IReadOnlyList<EpisodeEvent> events)
    {
        _json.WriteStartObject();
        _json.WriteString("at", at.ToString("O", CultureInfo.InvariantCulture));
        _json.WriteNumber("streamTime", Math.Round(streamTime.TotalSeconds, 3));
        _json.WriteStartArray("detections");
        foreach (var d in detections)
        {
            _json.WriteStartObject();
            _json.WriteString("class", Name(d.ClassId));
            _json.WriteNumber("score", Math.Round(d.Score, 3));
            WriteBox(d.Box);
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
        _json.WriteStartArray("tracks");
        foreach (var t in tracks)
        {
            _json.WriteStartObject();
            _json.WriteNumber("id", t.Id);
            _json.WriteString("class", Name(t.ClassId));
            _json.WriteNumber("score", Math.Round(t.Score, 3));
            _json.WriteBoolean("visible", t.Visible);
            _json.WriteBoolean("confirmed", t.Confirmed);
            WriteBox(t.Box);
            _json.WriteStartArray("look");
            for (int i = 0; i < Appearance.Length; i++) _json.WriteNumberValue(MathF.Round(t.Look[i]));
            _json.WriteEndArray();
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
        _json.WriteStartArray("events");
        foreach (var e in events)
        {
            _json.WriteStartObject();
            _json.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
            _json.WriteString("rule", e.Rule.Id);
            _json.WriteNumber("episode", e.EpisodeId);
            _json.WriteNumber("track", e.TrackId);
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        _json.Reset();
    }

    private void WriteBox(in BoundingBox box)
    {
        _json.WriteStartArray("box");
        _json.WriteNumberValue(MathF.Round(box.X, 1));
        _json.WriteNumberValue(MathF.Round(box.Y, 1));
        _json.WriteNumberValue(MathF.Round(box.Width, 1));
        _json.WriteNumberValue(MathF.Round(box.Height, 1));
        _json.WriteEndArray();
    }

    private string Name(int classId) => (uint)classId < (uint)_classNames.Count ? _classNames[classId] : classId.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }
}
