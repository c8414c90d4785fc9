namespace Vision.Models;

/// <summary>One object found by a detector in one frame: class index into the model's names, score 0..1, box in frame pixels.</summary>
public readonly record struct Detection(int ClassId, float Score, BoundingBox Box);
