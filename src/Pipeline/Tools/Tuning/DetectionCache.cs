using Vision.Models;
using Vision.Pipeline.Tracking;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>
/// Recordings on disk, one file per <see cref="DetectionKey"/> in a folder (<c>&lt;out&gt;/detections</c>), so a second
/// <c>vision tune</c> over the same clips and detection settings skips decoding and detection. A file that cannot be
/// read (another version, cut short) is ignored and recorded again.
/// </summary>
internal sealed class DetectionCache(string directory)
{
    private const int FormatVersion = 1;
    private const string Magic = "vision-detections";

    public string Directory => directory;

    public string PathFor(string key) => Path.Combine(directory, key + ".bin");

    public DetectionRecording? TryLoad(string key)
    {
        string path = PathFor(key);
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != Magic || reader.ReadInt32() != FormatVersion) return null;
            if (reader.ReadString() != key) return null;
            string clip = reader.ReadString();
            var start = ReadTime(reader);
            var detectionTime = TimeSpan.FromTicks(reader.ReadInt64());
            var classNames = new string[reader.ReadInt32()];
            for (int i = 0; i < classNames.Length; i++) classNames[i] = reader.ReadString();
            var frames = new RecordedFrame[reader.ReadInt32()];
            Span<float> look = stackalloc float[Appearance.Length];
            for (int f = 0; f < frames.Length; f++)
            {
                var capturedAt = ReadTime(reader);
                var streamTime = TimeSpan.FromTicks(reader.ReadInt64());
                int width = reader.ReadInt32(), height = reader.ReadInt32();
                var detections = new Detection[reader.ReadInt32()];
                var looks = new Appearance[detections.Length];
                for (int d = 0; d < detections.Length; d++)
                {
                    int classId = reader.ReadInt32();
                    float score = reader.ReadSingle();
                    detections[d] = new Detection(classId, score, new BoundingBox(reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle()));
                    for (int i = 0; i < look.Length; i++) look[i] = reader.ReadSingle();
                    looks[d] = Appearance.FromValues(look);
                }
                frames[f] = new RecordedFrame(capturedAt, streamTime, width, height, detections, looks);
            }
            return new DetectionRecording(key, clip, start, classNames, frames, detectionTime);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Save(DetectionRecording recording)
    {
        System.IO.Directory.CreateDirectory(directory);
        // Whole or not at all: a tune stopped mid-write leaves no file that looks complete.
        AtomicFile.Write(PathFor(recording.Key), stream =>
        {
            using var writer = new BinaryWriter(stream, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true), leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(recording.Key);
            writer.Write(recording.Clip);
            WriteTime(writer, recording.Start);
            writer.Write(recording.DetectionTime.Ticks);
            writer.Write(recording.ClassNames.Count);
            foreach (var name in recording.ClassNames) writer.Write(name);
            writer.Write(recording.Frames.Count);
            foreach (var frame in recording.Frames)
            {
                WriteTime(writer, frame.CapturedAt);
                writer.Write(frame.StreamTime.Ticks);
                writer.Write(frame.Width);
                writer.Write(frame.Height);
                writer.Write(frame.Detections.Length);
                for (int d = 0; d < frame.Detections.Length; d++)
                {
                    var detection = frame.Detections[d];
                    writer.Write(detection.ClassId);
                    writer.Write(detection.Score);
                    writer.Write(detection.Box.X);
                    writer.Write(detection.Box.Y);
                    writer.Write(detection.Box.Width);
                    writer.Write(detection.Box.Height);
                    for (int i = 0; i < Appearance.Length; i++) writer.Write(frame.Looks[d][i]);
                }
            }
        });
    }

    private static void WriteTime(BinaryWriter writer, DateTimeOffset time)
    {
        writer.Write(time.UtcTicks);
        writer.Write((short)time.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadTime(BinaryReader reader)
    {
        long utcTicks = reader.ReadInt64();
        var offset = TimeSpan.FromMinutes(reader.ReadInt16());
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }
}
