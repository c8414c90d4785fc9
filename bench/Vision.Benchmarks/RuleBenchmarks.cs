using BenchmarkDotNet.Attributes;
using Vision.Models;
using Vision.Rules;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Benchmarks;

/// <summary>
/// <see cref="CameraRuleEvaluator.Evaluate"/> for one camera with three rules (illegal parking on the kerb, a street stall on
/// the pavement, litter at a gate) and 40 tracked objects: parked cars (a few coasting now and then), people beside stall
/// umbrellas, bottles left at the gate, and either four more cars parked outside every zone (<c>Moving = 0</c>: the pure
/// steady state, every episode long confirmed) or four cars driving along the kerb (<c>Moving = 4</c>). One operation is one
/// analysed frame.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class RuleBenchmarks
{
    private const int FrameWidth = 1280, FrameHeight = 720;
    private const int Period = 64;
    private const int ObjectCount = 40;

    // The stall rule's schedule is on all day: the clock runs 1 s per operation, so a benchmark covers weeks, and a real
    // window would end and restart episodes every night. It still makes every frame pay for the schedule check.
    private const string Yaml = """
        detector:
          model: yolox_nano
        schedules:
          enforcement:
            times: ["00:00-24:00"]
        cameras:
          - id: bench-cam
            zones:
              - id: kerb
                polygon: [[0.0, 0.6], [1.0, 0.6], [1.0, 1.0], [0.0, 1.0]]
              - id: pavement
                polygon: [[0.0, 0.3], [0.5, 0.3], [0.5, 0.55], [0.0, 0.55]]
              - id: gate
                polygon: [[0.55, 0.3], [0.85, 0.3], [0.85, 0.42], [0.7, 0.42], [0.7, 0.55], [0.55, 0.55]]
            rules:
              - id: kerb-no-parking
                type: illegal_parking
                zones: [kerb]
              - id: pavement-stall
                type: street_stall
                zones: [pavement]
                near_classes: [umbrella, dining table]
                schedule: enforcement
              - id: gate-litter
                type: litter
                zones: [gate]
        """;

    private TrackedObject[][] _frames = [];
    private readonly List<EpisodeEvent> _events = new(64);
    private FrameClock _clock = null!;
    private CameraRuleEvaluator _evaluator = null!;
    private DateTimeOffset _now;
    private int _frame;

    /// <summary>Of the 40 objects, how many are cars driving along the kerb zone rather than parked outside it.</summary>
    [Params(0, 4)]
    public int Moving { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = VisionConfigLoader.Parse(Yaml, "bench.yaml");
        _now = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(8));
        _clock = new FrameClock(_now);
        _evaluator = new CameraRuleEvaluator(config.Cameras[0], config.Schedules, CocoClasses.Names, _clock);

        var random = new Random(20260302);
        _frames = new TrackedObject[Period][];
        for (int f = 0; f < Period; f++)
        {
            var objects = new TrackedObject[ObjectCount];
            int id = 1, n = 0;
            // 20 cars parked nose to tail on the kerb, two rows; the first four are hidden (coasting) one frame in sixteen.
            for (int i = 0; i < 20; i++)
            {
                var box = Jittered(new BoundingBox(10 + (i % 10) * 126, 400 + (i / 10) * 120, 100, 60), random);
                objects[n++] = new TrackedObject(id++, CocoClasses.Car, Score(random), box, Visible: i >= 4 || (f + i) % 16 != 0, Confirmed: true);
            }
            // 8 people standing on the pavement, the first four beside a stall umbrella.
            for (int i = 0; i < 8; i++)
                objects[n++] = new TrackedObject(id++, CocoClasses.Person, Score(random), Jittered(new BoundingBox(40 + i * 70, 260, 40, 100), random), true, true);
            for (int i = 0; i < 4; i++)
                objects[n++] = new TrackedObject(id++, CocoClasses.Umbrella, Score(random), Jittered(new BoundingBox(85 + i * 70, 300, 60, 40), random), true, true);
            // 4 bottles left at the gate, nobody near.
            for (int i = 0; i < 4; i++)
                objects[n++] = new TrackedObject(id++, CocoClasses.Bottle, Score(random), Jittered(new BoundingBox(800 + i * 60, 240, 20, 40), random), true, true);
            // 4 more cars: parked up the street outside every zone, or driving along the kerb 25 px a frame, back and forth.
            for (int i = 0; i < 4; i++)
            {
                BoundingBox box;
                if (i < Moving)
                {
                    int phase = (f + i * 16) % Period;
                    box = new BoundingBox(20 + i * 100 + 25 * (phase < Period / 2 ? phase : Period - phase), 650, 100, 50);
                }
                else
                {
                    box = Jittered(new BoundingBox(300 + i * 150, 20, 100, 60), random);
                }
                objects[n++] = new TrackedObject(id++, CocoClasses.Car, Score(random), box, true, true);
            }
            _frames[f] = objects;
        }

        // Past the longest dwell (stall, 5 min) so that every stationary object's episode is confirmed before measuring.
        for (int i = 0; i < 8 * Period; i++) Evaluate();
        if (Moving == 0)
        {
            int events = 0;
            for (int i = 0; i < Period; i++) events += Evaluate();
            if (events != 0)
                throw new InvalidOperationException($"setup expected a steady state with no episode events, got {events} in {Period} frames; the synthetic scene no longer matches the rules");
        }
    }

    [Benchmark]
    public int Evaluate()
    {
        _now += TimeSpan.FromSeconds(1);
        _clock.Set(_now);
        _events.Clear();
        _evaluator.Evaluate(FrameWidth, FrameHeight, _frames[_frame], _events);
        _frame = (_frame + 1) % Period;
        return _events.Count;
    }

    private static float Score(Random random) => 0.45f + 0.1f * random.NextSingle();

    private static BoundingBox Jittered(in BoundingBox box, Random random) =>
        new(box.X + Jitter(random), box.Y + Jitter(random), box.Width + Jitter(random), box.Height + Jitter(random));

    private static float Jitter(Random random) => (random.NextSingle() - 0.5f) * 3f;
}
