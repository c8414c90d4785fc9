namespace Vision.Pipeline;

/// <summary>A mistake in how the command was called (unknown camera, bad --start): exit code 2 with this message.</summary>
internal sealed class UsageException(string message) : Exception(message);
