namespace Vision.Models;

/// <summary>The model's detection output: tensor name, layout, and the head strides (YOLOX only, empty otherwise).</summary>
public sealed record ModelOutputSpec(string Name, OutputLayout Layout, IReadOnlyList<int> Strides);
