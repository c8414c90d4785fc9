using Vision.Cases;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>What <see cref="EvidenceWriter.WriteAsync"/> produced: the case record and its files as the uploader sees them.</summary>
internal sealed record WrittenCase(CaseRecord Record, SpooledCase Spooled);
