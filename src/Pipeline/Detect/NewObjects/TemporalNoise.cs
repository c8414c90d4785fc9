namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// The camera's own gradient noise (sensor, compression, rain), learned from frame to frame: the median over the
/// unoccluded blocks of the squared gradient difference between consecutive pictures, so the minority of blocks where
/// something moved does not count. Followed with a time constant; a sudden jump (the whole view changed) is let in at
/// most doubling per frame, so one odd frame cannot blind the comparison.
/// </summary>
internal sealed class TemporalNoise(int blocks, NewObjectOptions options)
{
    private readonly float[] _samples = new float[blocks];
    private float _noise = -1;

    /// <summary>Squared grey levels per pixel of gradient that noise alone gives one picture; <see cref="NewObjectOptions.MinNoise"/> until measured.</summary>
    public float Noise => Math.Max(options.MinNoise, _noise);

    /// <summary>The similarity regulariser ν: <see cref="NewObjectOptions.NoiseMargin"/> times <see cref="Noise"/>.</summary>
    public float Regulariser => options.NoiseMargin * Noise;

    public long Bytes => (long)_samples.Length * sizeof(float);

    public void Update(BlockComparison comparison, ReadOnlySpan<bool> occluded, float seconds)
    {
        int count = 0;
        for (int block = 0; block < _samples.Length; block++)
        {
            if (!occluded[block]) _samples[count++] = comparison.FrameDifference(block) * 0.5f;
        }
        if (count == 0) return;
        var samples = _samples.AsSpan(0, count);
        samples.Sort();
        float median = samples[count / 2];
        if (_noise < 0)
        {
            _noise = median;
            return;
        }
        float weight = 1 - MathF.Exp(-seconds / (float)options.NoiseTime.TotalSeconds);
        _noise += weight * (Math.Min(median, 2 * Math.Max(_noise, options.MinNoise)) - _noise);
    }
}
