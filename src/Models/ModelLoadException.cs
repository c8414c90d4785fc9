namespace Vision.Models;

/// <summary>Thrown when a detector model or its manifest cannot be used; the message names the file, the key or tensor, and what to do.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
