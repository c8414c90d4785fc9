using System.Security.Cryptography;
using Vision.Pipeline.Evidence;
using Vision.Storage;

namespace Vision.Pipeline.Upload;

/// <summary>
/// Verification reads from the evidence store: the manifest under the key the catalog recorded, then every object
/// the manifest names, downloaded in full and hashed as it streams (nothing is held in memory or written to disk).
/// </summary>
internal sealed class StoreEvidenceSource(IEvidenceStore store, EvidenceCatalog catalog) : IEvidenceSource
{
    public async Task<byte[]?> ReadManifestAsync(string caseId, CancellationToken ct)
    {
        var entry = await catalog.FindAsync(caseId, ct).ConfigureAwait(false);
        if (entry is null) return null;
        using var buffer = new MemoryStream();
        try
        {
            await store.GetAsync(entry.Case.ManifestKey, buffer, ct).ConfigureAwait(false);
        }
        catch (EvidenceStoreException e) when (e.Kind == EvidenceStoreFailure.NotFound)
        {
            return null;
        }
        return buffer.ToArray();
    }

    public async Task<ObjectDigest?> DigestAsync(ManifestObject item, CancellationToken ct)
    {
        using var sink = new HashingSink();
        try
        {
            await store.GetAsync(item.Key, sink, ct).ConfigureAwait(false);
        }
        catch (EvidenceStoreException e) when (e.Kind == EvidenceStoreFailure.NotFound)
        {
            return null;
        }
        return sink.Digest();
    }

    public string NameOf(ManifestObject item) => item.Key;

    /// <summary>A write-only stream that keeps only the length and SHA-256 of what passes through it.</summary>
    private sealed class HashingSink : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public ObjectDigest Digest() => new(_length, Convert.ToHexStringLower(_hash.GetHashAndReset()));

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            _length += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
