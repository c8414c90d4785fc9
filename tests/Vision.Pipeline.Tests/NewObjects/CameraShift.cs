using OpenCvSharp;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>A camera knocked or a PTZ preset that came back elsewhere: the picture translated, its uncovered edge repeating the border.</summary>
internal static class CameraShift
{
    public static void Apply(Mat frame, double dx, double dy)
    {
        using var matrix = new Mat(2, 3, MatType.CV_64FC1);
        matrix.Set(0, 0, 1.0); matrix.Set(0, 1, 0.0); matrix.Set(0, 2, dx);
        matrix.Set(1, 0, 0.0); matrix.Set(1, 1, 1.0); matrix.Set(1, 2, dy);
        using var source = frame.Clone();
        Cv2.WarpAffine(source, frame, matrix, frame.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
    }
}
