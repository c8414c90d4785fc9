using Vision.Models;
using Vision.Pipeline.Tracking;
using Vision.Rules;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Tracking;

public sealed class ObjectTrackerTests
{
    private const int Person = 0, Car = 1, Truck = 3;

    /// <summary>The documented defaults: high 0.3, low 0.1, match IoU 0.2, lost after 30 s, confirmed on the 2nd hit.</summary>
    private static readonly TrackerConfig Defaults = new()
    {
        HighScore = 0.3f, LowScore = 0.1f, MatchIou = 0.2f, LostTimeout = TimeSpan.FromSeconds(30), ConfirmHits = 2,
    };

    private static readonly Colour DarkBlue = new(110, 50, 30);
    private static readonly Colour White = new(235, 235, 235);
    private static readonly Colour NearBlack = new(25, 25, 30);

    private static readonly BoundingBox ParkedCar = new(200, 260, 140, 80);

    [Fact]
    public void Confirmed_track_keeps_its_id_through_missed_frames_up_to_lost_timeout()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.8f, ParkedCar, DarkBlue));
        var id = Assert.Single(scene.Step(1, new Seen(Car, 0.8f, ParkedCar, DarkBlue))).Id;

        for (int second = 2; second <= 30; second++)
        {
            var coasting = Assert.Single(scene.Step(second));
            Assert.Equal(id, coasting.Id);
            Assert.False(coasting.Visible);
            Assert.True(coasting.Confirmed);
        }

        // Exactly the lost timeout after it was last seen.
        var back = Assert.Single(scene.Step(31, new Seen(Car, 0.8f, ParkedCar, DarkBlue)));
        Assert.Equal(id, back.Id);
        Assert.True(back.Visible);
    }

    [Fact]
    public void Confirmed_track_is_dropped_once_unseen_longer_than_lost_timeout()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.8f, ParkedCar, DarkBlue));
        var id = Assert.Single(scene.Step(1, new Seen(Car, 0.8f, ParkedCar, DarkBlue))).Id;

        for (int second = 2; second <= 31; second++) Assert.Single(scene.Step(second));
        Assert.Empty(scene.Step(32));

        var reborn = Assert.Single(scene.Step(33, new Seen(Car, 0.8f, ParkedCar, DarkBlue)));
        Assert.NotEqual(id, reborn.Id);
        Assert.False(reborn.Confirmed);
    }

    [Fact]
    public void Parked_car_with_score_flickering_around_high_threshold_keeps_one_id_for_ten_minutes()
    {
        var scene = new Scene();
        float[] scores = [0.45f, 0.15f, 0.35f];
        int? id = null;
        for (int second = 0; second < 600; second++)
        {
            var box = Jitter(ParkedCar, second, 2);
            var track = Assert.Single(scene.Step(second, new Seen(Car, scores[second % 3], box, DarkBlue)));
            id ??= track.Id;
            Assert.Equal(id, track.Id);
            Assert.True(track.Visible, $"not visible at {second}s");
            Assert.Equal(box, track.Box);
            if (second >= 1) Assert.True(track.Confirmed, $"not confirmed at {second}s");
        }
    }

    [Fact]
    public void Two_cars_parked_side_by_side_keep_their_own_ids()
    {
        var scene = new Scene();
        var left = new BoundingBox(100, 260, 120, 70);
        var right = new BoundingBox(224, 260, 120, 70); // a 4 px gap; jitter makes them touch
        int leftId = 0, rightId = 0;
        for (int second = 0; second < 300; second++)
        {
            var l = Jitter(left, second, 3);
            var r = Jitter(right, second + 1, 3);
            // Same colour, after the first two frames one of them weak in turn, and the detector's order changes.
            bool leftWeak = second >= 2 && second % 2 == 0, rightWeak = second >= 2 && second % 2 == 1;
            var a = new Seen(Car, leftWeak ? 0.2f : 0.7f, l, DarkBlue);
            var b = new Seen(Car, rightWeak ? 0.2f : 0.7f, r, DarkBlue);
            var tracks = second % 3 == 0 ? scene.Step(second, b, a) : scene.Step(second, a, b);

            Assert.Equal(2, tracks.Count);
            var onLeft = Assert.Single(tracks, t => t.Box == l);
            var onRight = Assert.Single(tracks, t => t.Box == r);
            if (second == 0) { leftId = onLeft.Id; rightId = onRight.Id; }
            Assert.Equal(leftId, onLeft.Id);
            Assert.Equal(rightId, onRight.Id);
        }
        Assert.NotEqual(leftId, rightId);
    }

    [Fact]
    public void Object_that_jumps_further_than_its_box_between_frames_gets_a_new_track_each_frame()
    {
        var scene = new Scene();
        var ids = new HashSet<int>();
        for (int frame = 0; frame < 5; frame++)
        {
            var box = new BoundingBox(frame * 120, 300, 80, 60);
            var track = Assert.Single(scene.Step(frame, new Seen(Car, 0.9f, box, DarkBlue)));
            Assert.True(ids.Add(track.Id), $"id {track.Id} carried over at frame {frame}");
            Assert.False(track.Confirmed);
        }
    }

    [Fact]
    public void Confirmed_car_does_not_lend_its_id_to_a_detection_that_does_not_overlap_it()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.9f, ParkedCar, DarkBlue));
        var parkedId = Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Id;

        var elsewhere = new BoundingBox(ParkedCar.Right + 10, ParkedCar.Y, ParkedCar.Width, ParkedCar.Height);
        var tracks = scene.Step(2, new Seen(Car, 0.9f, elsewhere, DarkBlue));

        Assert.Equal(2, tracks.Count);
        var parked = Assert.Single(tracks, t => t.Id == parkedId);
        Assert.False(parked.Visible);
        Assert.Equal(ParkedCar, parked.Box);
        var other = Assert.Single(tracks, t => t.Id != parkedId);
        Assert.Equal(elsewhere, other.Box);
    }

    [Fact]
    public void Same_car_reported_as_car_and_truck_in_one_frame_gives_one_track()
    {
        var scene = new Scene();
        var asTruck = new BoundingBox(ParkedCar.X + 3, ParkedCar.Y + 2, ParkedCar.Width - 2, ParkedCar.Height);
        Assert.True(ParkedCar.IoU(asTruck) >= ObjectTracker.DuplicateIoU);

        int? id = null;
        for (int second = 0; second < 10; second++)
        {
            // Mostly "car" is the stronger label; on frame 5 "truck" wins the frame.
            float carScore = second == 5 ? 0.6f : 0.8f, truckScore = second == 5 ? 0.7f : 0.5f;
            var tracks = scene.Step(second,
                new Seen(Truck, truckScore, asTruck, White),
                new Seen(Car, carScore, ParkedCar, White));

            var track = Assert.Single(tracks);
            id ??= track.Id;
            Assert.Equal(id, track.Id);
            Assert.Equal(Car, track.ClassId);
            Assert.True(track.Visible);
        }
    }

    [Fact]
    public void Detection_of_another_class_overlapping_less_than_half_does_not_continue_the_track()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.9f, ParkedCar, DarkBlue));
        var carId = Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Id;

        // Enough overlap for a same-class match (IoU ≥ 0.2), not for a re-label (IoU < 0.5).
        var truckBox = ParkedCar with { X = ParkedCar.X + 60 };
        float iou = ParkedCar.IoU(truckBox);
        Assert.InRange(iou, Defaults.MatchIou, 0.45f);
        var tracks = scene.Step(2, new Seen(Truck, 0.9f, truckBox, DarkBlue));

        Assert.Equal(2, tracks.Count);
        Assert.False(Assert.Single(tracks, t => t.Id == carId).Visible);
        var truck = Assert.Single(tracks, t => t.Id != carId);
        Assert.Equal(Truck, truck.ClassId);
    }

    [Fact]
    public void Same_class_detection_overlapping_less_than_half_continues_the_track()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.9f, ParkedCar, DarkBlue));
        var carId = Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Id;

        var moved = ParkedCar with { X = ParkedCar.X + 60 };
        var track = Assert.Single(scene.Step(2, new Seen(Car, 0.9f, moved, DarkBlue)));

        Assert.Equal(carId, track.Id);
        Assert.Equal(moved, track.Box);
    }

    [Fact]
    public void Tentative_track_is_confirmed_on_its_confirm_hits_match()
    {
        var scene = new Scene(Defaults with { ConfirmHits = 3 });
        Assert.False(Assert.Single(scene.Step(0, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Confirmed);
        Assert.False(Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Confirmed);
        Assert.True(Assert.Single(scene.Step(2, new Seen(Car, 0.9f, ParkedCar, DarkBlue))).Confirmed);
    }

    [Fact]
    public void Detection_that_looks_very_different_at_the_same_place_starts_a_new_track()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.9f, ParkedCar, White));
        var whiteId = Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, White))).Id;

        var tracks = scene.Step(2, new Seen(Car, 0.9f, ParkedCar, NearBlack));

        Assert.Equal(2, tracks.Count);
        var white = Assert.Single(tracks, t => t.Id == whiteId);
        Assert.False(white.Visible);
        var dark = Assert.Single(tracks, t => t.Id != whiteId);
        Assert.True(dark.Visible);
        Assert.False(dark.Confirmed);
    }

    [Fact]
    public void Same_car_under_slightly_changed_light_keeps_its_id()
    {
        var scene = new Scene();
        scene.Step(0, new Seen(Car, 0.9f, ParkedCar, White));
        var id = Assert.Single(scene.Step(1, new Seen(Car, 0.9f, ParkedCar, White))).Id;

        var dimmer = new Colour(215, 218, 212);
        var track = Assert.Single(scene.Step(2, new Seen(Car, 0.9f, ParkedCar, dimmer)));

        Assert.Equal(id, track.Id);
        Assert.True(track.Visible);
    }

    [Fact]
    public void Unconfirmed_single_frame_noise_disappears_on_the_next_frame()
    {
        var scene = new Scene();
        var noise = Assert.Single(scene.Step(0, new Seen(Person, 0.6f, new BoundingBox(500, 40, 20, 40), DarkBlue)));
        Assert.False(noise.Confirmed);

        Assert.Empty(scene.Step(1));
    }

    [Fact]
    public void Weak_detection_alone_never_starts_a_track()
    {
        var scene = new Scene();
        for (int second = 0; second < 5; second++)
            Assert.Empty(scene.Step(second, new Seen(Car, 0.25f, ParkedCar, DarkBlue)));
    }

    [Fact]
    public void Class_vote_keeps_car_when_occasionally_labelled_truck()
    {
        var scene = new Scene();
        for (int second = 0; second < 40; second++)
        {
            // Every fourth frame the detector calls it a truck, and more confidently than the usual car.
            var seen = second % 4 == 3
                ? new Seen(Truck, 0.7f, ParkedCar, DarkBlue)
                : new Seen(Car, 0.6f, ParkedCar, DarkBlue);
            var track = Assert.Single(scene.Step(second, seen));
            Assert.Equal(Car, track.ClassId);
        }
    }

    [Fact]
    public void Class_vote_moves_to_car_once_car_outweighs_a_first_truck_label()
    {
        var scene = new Scene();
        Assert.Equal(Truck, Assert.Single(scene.Step(0, new Seen(Truck, 0.7f, ParkedCar, DarkBlue))).ClassId);
        Assert.Equal(Truck, Assert.Single(scene.Step(1, new Seen(Car, 0.6f, ParkedCar, DarkBlue))).ClassId);
        Assert.Equal(Car, Assert.Single(scene.Step(2, new Seen(Car, 0.6f, ParkedCar, DarkBlue))).ClassId);
    }

    [Fact]
    public void Same_detections_twice_give_the_same_ids()
    {
        var first = RecordBusyStreet();
        var second = RecordBusyStreet();

        Assert.True(first.Select(s => s.Id).Distinct().Count() >= 4, "the scene should produce several tracks");
        Assert.Equal(first, second);
    }

    /// <summary>Parked cars with flickering scores, a car driving through, noise, and a person walking past the cars.</summary>
    private static List<TrackSnapshot> RecordBusyStreet()
    {
        var scene = new Scene();
        var snapshots = new List<TrackSnapshot>();
        for (int second = 0; second < 120; second++)
        {
            var seen = new List<Seen>
            {
                new(Car, second % 5 == 0 ? 0.2f : 0.7f, Jitter(new BoundingBox(60, 300, 130, 80), second, 2), DarkBlue),
                new(Car, 0.5f, Jitter(new BoundingBox(194, 300, 130, 80), second + 2, 2), White),
            };
            if (second % 7 != 3) seen.Add(new Seen(Truck, 0.45f, new BoundingBox(400, 250, 180, 120), NearBlack));
            if (second is >= 20 and < 40) seen.Add(new Seen(Car, 0.8f, new BoundingBox((second - 20) * 30, 200, 120, 60), White));
            if (second % 11 == 0) seen.Add(new Seen(Person, 0.35f, new BoundingBox(600, 20, 15, 30), DarkBlue));
            if (second is >= 50 and < 90) seen.Add(new Seen(Person, 0.6f, new BoundingBox(40 + (second - 50) * 8, 280, 30, 90), NearBlack));
            if (second % 2 == 1) seen.Reverse();

            foreach (var track in scene.Step(second, [.. seen]))
                snapshots.Add(new TrackSnapshot(second, track.Id, track.ClassId, track.Box, track.Visible, track.Confirmed));
        }
        return snapshots;
    }

    /// <summary>Moves a box by up to <paramref name="pixels"/> in a fixed pattern, as detector jitter does.</summary>
    private static BoundingBox Jitter(BoundingBox box, int frame, int pixels)
    {
        int dx = frame % 3 - 1, dy = frame % 5 % 3 - 1;
        return box with { X = box.X + dx * pixels, Y = box.Y + dy * pixels };
    }

    private readonly record struct Colour(byte B, byte G, byte R);

    /// <summary>One object the detector reports in a frame, and the colour it has on the synthetic image.</summary>
    private readonly record struct Seen(int ClassId, float Score, BoundingBox Box, Colour Colour);

    private readonly record struct TrackSnapshot(int Second, int Id, int ClassId, BoundingBox Box, bool Visible, bool Confirmed);

    /// <summary>A tracker at 1 fps on a grey 640×480 BGR frame where each detection is painted as a solid box.</summary>
    private sealed class Scene
    {
        private const int Width = 640, Height = 480;
        private const byte Background = 90;
        private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

        private readonly byte[] _bgr = new byte[Width * Height * 3];
        private readonly FrameClock _clock = new(Start);
        private readonly ObjectTracker _tracker;

        public Scene(TrackerConfig? config = null) =>
            _tracker = new ObjectTracker(config ?? Defaults, classCount: 6, _clock);

        public IReadOnlyList<Track> Step(int second, params Seen[] objects)
        {
            _clock.Set(Start + TimeSpan.FromSeconds(second));
            _bgr.AsSpan().Fill(Background);
            foreach (var o in objects) Paint(o.Box, o.Colour);

            var detections = new Detection[objects.Length];
            var looks = new Appearance[objects.Length];
            for (int i = 0; i < objects.Length; i++)
            {
                detections[i] = new Detection(objects[i].ClassId, objects[i].Score, objects[i].Box);
                looks[i] = Appearance.Measure(_bgr, Width, Height, objects[i].Box);
            }
            _tracker.Update(detections, looks);
            return _tracker.Tracks;
        }

        private void Paint(BoundingBox box, Colour colour)
        {
            int x0 = Math.Max(0, (int)box.X), x1 = Math.Min(Width, (int)box.Right);
            int y0 = Math.Max(0, (int)box.Y), y1 = Math.Min(Height, (int)box.Bottom);
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++)
                {
                    int p = (y * Width + x) * 3;
                    _bgr[p] = colour.B;
                    _bgr[p + 1] = colour.G;
                    _bgr[p + 2] = colour.R;
                }
            }
        }
    }
}
