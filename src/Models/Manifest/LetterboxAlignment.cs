namespace Vision.Models;

/// <summary>Where the aspect-preserving resized frame sits inside the model input; the rest is padding.</summary>
public enum LetterboxAlignment { TopLeft, Center }
