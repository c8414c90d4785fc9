using System.Text;
using Vision.Models.Tests.Support;

namespace Vision.Models.Tests;

/// <summary><see cref="AtomicFile"/>: the file holds the old bytes or the new ones, never part of them, and no temporary file outlives a write.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_write_replaces_the_file_with_exactly_the_new_bytes_and_leaves_nothing_else_in_the_folder()
    {
        string path = _folder.Write("lease.json", "old, and longer than the new text");

        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("new"));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task An_async_write_creates_a_file_that_did_not_exist()
    {
        string path = Path.Combine(_folder.Path, "photo.jpg");

        await AtomicFile.WriteAllBytesAsync(path, [1, 2, 3], CancellationToken.None);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void A_writer_that_fails_half_way_leaves_the_old_file_whole_and_no_temporary_file()
    {
        string path = _folder.Write("detections.bin", "the old recording");

        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("half of the new rec"));
            stream.Flush();
            throw new IOException("No space left on device");
        }));

        Assert.Equal("No space left on device", failure.Message);
        Assert.Equal("the old recording", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task An_async_writer_that_fails_half_way_leaves_the_old_file_whole_and_no_temporary_file()
    {
        string path = _folder.Write("manifest.json", "{\"old\":true}");

        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"ne"), ct);
            await stream.FlushAsync(ct);
            throw new IOException("No space left on device");
        }, CancellationToken.None));

        Assert.Equal("{\"old\":true}", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_the_old_file_and_no_temporary_file()
    {
        string path = _folder.Write("photo.jpg", "old photo");
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[4096], ct);
            await cancel.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }, cancel.Token));

        Assert.Equal("old photo", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void The_temporary_file_is_written_in_the_target_folder_so_the_rename_never_crosses_file_systems()
    {
        string path = Path.Combine(_folder.Sub("case-1"), "closeup.jpg");
        string? seen = null;

        AtomicFile.Write(path, stream => seen = ((FileStream)stream).Name);

        Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(seen));
        Assert.NotEqual(path, seen);
        Assert.False(File.Exists(seen));
        Assert.True(File.Exists(path));
    }
}
