namespace Vision.Models;

/// <summary>
/// The model's image input: tensor name, size, and how 0..255 pixels become tensor values
/// (<c>(pixel * Scale - Mean[c]) / Std[c]</c>, with <c>c</c> the tensor channel after <see cref="ChannelOrder"/>).
/// </summary>
public sealed record ModelInputSpec(
    string Name,
    int Width,
    int Height,
    ChannelOrder ChannelOrder,
    float Scale,
    IReadOnlyList<float> Mean,
    IReadOnlyList<float> Std,
    LetterboxAlignment Letterbox,
    byte PadValue);
