using Vision.Models;

namespace Vision.Pipeline.Tracking;

/// <summary>One object followed across frames of one camera.</summary>
internal sealed class Track
{
    private readonly float[] _classVotes;

    internal Track(int id, in Detection detection, in Appearance look, DateTimeOffset now, int classCount)
    {
        Id = id;
        Look = look;
        _classVotes = new float[classCount];
        Box = detection.Box;
        Score = detection.Score;
        ClassId = detection.ClassId;
        FirstSeen = LastSeen = now;
        Hits = 1;
        Visible = true;
        if ((uint)detection.ClassId < (uint)classCount) _classVotes[detection.ClassId] = detection.Score;
    }

    public int Id { get; }

    /// <summary>The class with the most accumulated score, so a car that is sometimes called a truck keeps one label.</summary>
    public int ClassId { get; private set; }

    /// <summary>Smoothed detection score: rules compare it to their min confidence, so one weak frame does not drop a parked car.</summary>
    public float Score { get; private set; }

    /// <summary>The box of the latest matched detection.</summary>
    public BoundingBox Box { get; private set; }

    public DateTimeOffset FirstSeen { get; }
    public DateTimeOffset LastSeen { get; private set; }
    public int Hits { get; private set; }

    /// <summary>True when a detection matched in the latest frame.</summary>
    public bool Visible { get; internal set; }

    public bool Confirmed { get; internal set; }

    /// <summary>How the object looks, slowly updated; a detection that looks very different is another object.</summary>
    public Appearance Look;

    internal void Match(in Detection detection, in Appearance look, DateTimeOffset now, float scoreSmoothing)
    {
        Look.Blend(look, 0.2f);
        Box = detection.Box;
        Score += (detection.Score - Score) * scoreSmoothing;
        LastSeen = now;
        Hits++;
        Visible = true;
        if ((uint)detection.ClassId < (uint)_classVotes.Length)
        {
            _classVotes[detection.ClassId] += detection.Score;
            if (_classVotes[detection.ClassId] > _classVotes[ClassId]) ClassId = detection.ClassId;
        }
    }
}
