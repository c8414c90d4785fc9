using System.Security.Cryptography;
using System.Xml.Linq;

namespace Vision.Storage;

/// <summary>
/// Keys every node of a cluster must agree on, kept in the shared PostgreSQL database: the first node to ask creates
/// one, the others read it. A node alone keeps none here (its keys are its own).
/// </summary>
public sealed class SharedKeys(CaseDatabase database)
{
    /// <summary>The named 32-byte key, created at random by whichever node asks first.</summary>
    public async Task<byte[]> GetOrCreateAsync(string name, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "INSERT INTO shared_keys (name, value, created_at_ms) VALUES (@name, @value, @now) ON CONFLICT DO NOTHING", ct,
            ("@name", name), ("@value", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        var value = await Sql.ScalarAsync(connection, null, "SELECT value FROM shared_keys WHERE name = @name", ct, ("@name", name)).ConfigureAwait(false);
        return Convert.FromBase64String((string)value!);
    }

    /// <summary>The console's cookie key ring (ASP.NET Core Data Protection's XML elements), so any node reads any node's session cookie.</summary>
    public IReadOnlyList<XElement> KeyRing()
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, null, "SELECT xml FROM console_key_ring ORDER BY created_at_ms, name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void AddToKeyRing(string name, XElement element, DateTimeOffset now)
    {
        using var connection = database.Open();
        using var command = Sql.Command(connection, null, "INSERT INTO console_key_ring (name, xml, created_at_ms) VALUES (@name, @xml, @now) ON CONFLICT DO NOTHING",
            ("@name", name), ("@xml", element.ToString(SaveOptions.DisableFormatting)), ("@now", now.ToUnixTimeMilliseconds()));
        command.ExecuteNonQuery();
    }
}
