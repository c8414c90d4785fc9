using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Detect.NewObjects;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>
/// <see cref="SceneModel"/> with its default options on a real street camera's footage (street-parking and city-traffic,
/// 640x360, a frame every 2 s as at the default analysis rate), with a real garbage pile cut from a roadside photo
/// composited in where a case needs one. The frames come from a clip sampled every 0.5 s, so what moves in it moves four
/// times slower than it did (see <see cref="StreetFilm"/>).
/// </summary>
public sealed class NewObjectSceneTests
{
    /// <summary>The empty bay on the far kerb, between two parked white cars, beside the lane the traffic uses.</summary>
    private static readonly Rect PileBox = new(382, 158, 56, 36);
    private const int PileAppears = 45;
    private static readonly int StayFrames = (int)(NewObjectOptions.Default.StayTime / StreetFilm.Interval);

    [SharedDataFact]
    public void A_garbage_pile_that_appears_and_stays_becomes_one_candidate_at_its_place_after_the_stay_time()
    {
        var film = StreetFilm.StreetParking();
        using var pile = Pile();
        using var model = Model(film);

        var said = film.Play(model, 140, (i, frame) => { if (i >= PileAppears) pile.DrawOn(frame); });

        int due = PileAppears + StayFrames;
        foreach (var frame in said.Take(due - 1)) Assert.True(frame.Candidates.Length == 0, $"a candidate before the pile stayed {StayFrames} frames: {Describe(frame)}");
        var first = said.First(f => f.Candidates.Length > 0);
        Assert.InRange(first.Index, due - 1, due + 2);
        int id = first.Candidates[0].Id;
        foreach (var frame in said.Skip(first.Index))
        {
            var candidate = Assert.Single(frame.Candidates);
            Assert.Equal(id, candidate.Id);
            AssertOnPile(candidate.Box);
            Assert.InRange(candidate.FirstSeen, StreetFilm.TimeOf(PileAppears), StreetFilm.TimeOf(PileAppears + 1));
            Assert.Equal(frame.At - candidate.FirstSeen, candidate.Stayed);
            Assert.True(candidate.Stayed >= NewObjectOptions.Default.StayTime - StreetFilm.Interval, $"stayed only {candidate.Stayed}");
            Assert.InRange(candidate.Score, 0.3f, 1f);
        }
        Assert.Equal(SceneState.Ready, said[^1].Status.State);
        Assert.Null(said[^1].Status.LastGlobalChange);
    }

    [SharedDataFact]
    public void The_street_with_its_passing_cars_alone_raises_no_candidate()
    {
        var film = StreetFilm.StreetParking();
        using var model = Model(film);

        var said = film.Play(model, 200);

        AssertNoCandidate(said);
        Assert.Equal(SceneState.Ready, said[^1].Status.State);
        Assert.Null(said[^1].Status.LastGlobalChange);
    }

    [SharedDataFact]
    public void A_busy_road_full_of_moving_traffic_raises_no_candidate()
    {
        var film = new StreetFilm(ClipFrames.Of("city-traffic.mp4", StreetFilm.ClipFps, 640, 360));
        using var model = new SceneModel(film.Width, film.Height);

        var said = film.Play(model, 200);

        AssertNoCandidate(said);
        Assert.Null(said[^1].Status.LastGlobalChange);
    }

    [SharedDataFact]
    public void Daylight_dimming_by_forty_percent_and_a_cloud_shadow_crossing_the_street_raise_no_candidate()
    {
        var film = StreetFilm.StreetParking();
        using var model = Model(film);
        const int frames = 200;

        var said = film.Play(model, frames, (i, frame) => SceneLight.Apply(frame, Dimming(i, frames), ShadowAt(i)));

        AssertNoCandidate(said);
        Assert.Equal(SceneState.Ready, said[^1].Status.State);
        Assert.Null(said[^1].Status.LastGlobalChange);
    }

    [SharedDataFact]
    public void A_pile_is_found_while_the_light_dims_and_a_cloud_shadow_passes_and_its_candidate_ends_soon_after_it_is_cleared()
    {
        var film = StreetFilm.StreetParking();
        using var pile = Pile();
        using var model = Model(film);
        const int frames = 200, cleared = 160;

        var said = film.Play(model, frames, (i, frame) =>
        {
            if (i >= PileAppears && i < cleared) pile.DrawOn(frame);
            SceneLight.Apply(frame, Dimming(i, frames), ShadowAt(i));
        });

        int found = said.First(f => f.Candidates.Length > 0).Index;
        Assert.InRange(found, PileAppears + StayFrames - 1, PileAppears + StayFrames + 2);
        foreach (var frame in said.Skip(found).Take(cleared - found)) AssertOnPile(Assert.Single(frame.Candidates).Box);
        int clearFrames = (int)(NewObjectOptions.Default.ClearAfter / StreetFilm.Interval);
        int ended = said.Skip(cleared).First(f => f.Candidates.Length == 0).Index;
        Assert.InRange(ended, cleared, cleared + clearFrames);
        AssertNoCandidate(said.Skip(ended));
    }

    [SharedDataFact]
    public void A_camera_knocked_ten_pixels_aside_is_reported_as_moved_and_relearned_without_a_candidate()
    {
        var film = StreetFilm.StreetParking();
        using var model = Model(film);
        const int knocked = 70;

        var said = film.Play(model, 200, (i, frame) => { if (i >= knocked) CameraShift.Apply(frame, 10, 6); });

        AssertNoCandidate(said);
        var noticed = said.First(f => f.Status.State == SceneState.Relearning);
        Assert.InRange(noticed.Index, knocked, knocked + 2);
        var change = Assert.IsType<GlobalChange>(noticed.Status.LastGlobalChange);
        Assert.Equal(GlobalChangeKind.CameraMoved, change.Kind);
        Assert.InRange(change.ShiftX, 8.5f, 11.5f);
        Assert.InRange(change.ShiftY, 4.5f, 7.5f);
        // Relearned within a few learning times, and ready again.
        Assert.Equal(SceneState.Ready, said[^1].Status.State);
        Assert.Same(change, said[^1].Status.LastGlobalChange);
    }

    [SharedDataTheory]
    [InlineData(1, 0, false)]
    [InlineData(2, 1, true)]
    [InlineData(3, 2, true)]
    [InlineData(5, 0, true)]
    public void A_preset_that_drifts_a_few_pixels_raises_no_candidate_and_from_two_pixels_is_reported_as_moved(int dx, int dy, bool reported)
    {
        var film = StreetFilm.StreetParking();
        using var model = Model(film);

        var said = film.Play(model, 200, (i, frame) => { if (i >= 70) CameraShift.Apply(frame, dx, dy); });

        AssertNoCandidate(said);
        var change = said[^1].Status.LastGlobalChange;
        if (reported) Assert.Equal(GlobalChangeKind.CameraMoved, Assert.IsType<GlobalChange>(change).Kind);
        else Assert.Null(change);
        Assert.Equal(SceneState.Ready, said[^1].Status.State);
    }

    [SharedDataFact]
    public void A_pile_inside_a_box_of_the_detector_is_the_detectors_object_not_a_new_one()
    {
        var film = StreetFilm.StreetParking();
        using var pile = Pile();
        using var model = Model(film);
        // As if the detector saw the pile (say as a suitcase) in every frame from the one it was dropped in.
        var seen = new[] { new Detection(28, 0.6f, new BoundingBox(PileBox.X - 2, PileBox.Y - 2, PileBox.Width + 4, PileBox.Height + 4)) };

        var said = film.Play(model, 140, (i, frame) => { if (i >= PileAppears) pile.DrawOn(frame); }, i => i >= PileAppears ? seen : []);

        AssertNoCandidate(said);
    }

    [SharedDataFact]
    public void A_pile_that_stays_past_absorb_after_becomes_part_of_the_scene_and_clearing_it_raises_nothing()
    {
        var film = StreetFilm.StreetParking();
        using var pile = Pile();
        var options = NewObjectOptions.Default with { AbsorbAfter = TimeSpan.FromSeconds(200) };
        using var model = Model(film, options);
        const int cleared = 170;

        var said = film.Play(model, 250, (i, frame) => { if (i >= PileAppears && i < cleared) pile.DrawOn(frame); });

        int absorbedAt = PileAppears + (int)(options.AbsorbAfter / StreetFilm.Interval);
        Assert.Single(said[absorbedAt - 5].Candidates);
        AssertNoCandidate(said.Skip(absorbedAt + 2));
    }

    [SharedDataFact]
    public void Memory_is_fixed_by_the_analysis_size_and_does_not_grow_with_frames()
    {
        var film = StreetFilm.StreetParking();
        using var pile = Pile();
        using var model = Model(film);
        long before = model.StateBytes;

        film.Play(model, 120, (i, frame) => { if (i >= 20) pile.DrawOn(frame); if (i >= 100) CameraShift.Apply(frame, 10, 6); });

        Assert.Equal(before, model.StateBytes);
        // 640x360: five grey planes (320x180 floats), the colour reference (640x360 BGR), the shift check's half-size planes, per-block state.
        Assert.InRange(before, 1_900_000, 2_200_000);
        using var large = new SceneModel(1280, 720);
        Assert.InRange(large.StateBytes, 3.8 * before, 4.2 * before);
    }

    [Fact]
    public void Options_out_of_range_are_refused_naming_the_option()
    {
        var defaults = NewObjectOptions.Default;
        Assert.Equal("BlockSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SceneModel(640, 360, defaults with { BlockSize = 15 })).ParamName);
        Assert.Equal("SameAbove", Assert.Throws<ArgumentOutOfRangeException>(() => (defaults with { SameAbove = 0.5f }).Validate()).ParamName);
        Assert.Equal("AbsorbAfter", Assert.Throws<ArgumentOutOfRangeException>(() => (defaults with { AbsorbAfter = TimeSpan.FromMinutes(1) }).Validate()).ParamName);
        Assert.Equal("StayTime", Assert.Throws<ArgumentOutOfRangeException>(() => (defaults with { StayTime = TimeSpan.Zero }).Validate()).ParamName);
    }

    [Fact]
    public void A_frame_of_another_size_is_refused()
    {
        using var model = new SceneModel(640, 360);
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => model.Observe(frame, StreetFilm.Start, []));
    }

    /// <summary>1.0 at the start to 0.6 at the end: late afternoon into dusk, compressed into the run.</summary>
    private static double Dimming(int frame, int frames) => 1 - 0.4 * frame / (frames - 1.0);

    /// <summary>The cloud shadow's position: 14 px a frame, crossing the street about twice in a run of 200 frames.</summary>
    private static float ShadowAt(int frame) => 60 + 14 * frame;

    private static SceneModel Model(StreetFilm film, NewObjectOptions? options = null) =>
        new(film.Width, film.Height, options, [StreetFilm.StreetParkingClock]);

    /// <summary>Garbage heaped against a wall by a muddy road (img-218, x 0-0.5, y 0.48-0.82 of the photo): bags, a red sack, rubbish.</summary>
    private static GarbagePile Pile() => new("img-218.jpg", new Rect2d(0.0, 0.48, 0.5, 0.34), PileBox);

    /// <summary>The candidate covers the pile, on the block grid: overlaps it well and is at most one block larger each way.</summary>
    private static void AssertOnPile(BoundingBox box)
    {
        var pile = new BoundingBox(PileBox.X, PileBox.Y, PileBox.Width, PileBox.Height);
        int block = NewObjectOptions.Default.BlockSize;
        Assert.True(box.IoU(pile) >= 0.5f, $"candidate {box} overlaps the pile {pile} by IoU {box.IoU(pile):F2}");
        Assert.True(box.X >= pile.X - block && box.Y >= pile.Y - block && box.Right <= pile.Right + block && box.Bottom <= pile.Bottom + block,
            $"candidate {box} reaches more than a block beyond the pile {pile}");
    }

    private static void AssertNoCandidate(IEnumerable<FilmFrame> said)
    {
        foreach (var frame in said) Assert.True(frame.Candidates.Length == 0, Describe(frame));
    }

    private static string Describe(FilmFrame frame) =>
        $"frame {frame.Index} ({frame.Status.State}): " + string.Join("; ", frame.Candidates.Select(c => $"#{c.Id} at {c.Box.X},{c.Box.Y} {c.Box.Width}x{c.Box.Height} stayed {c.Stayed.TotalSeconds:F0} s"));
}
