using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Vision.Pipeline.Tests.Live;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The host's operations endpoints and transport against a real <c>vision run</c>: /api/cameras, /api/status and
/// /metrics need a signed-in admin or the ops bearer token (never logged); /healthz and /readyz stay open and say
/// nothing sensitive; over https (a certificate made here with openssl) the session and CSRF cookies are Secure.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class OpsEndpointTests
{
    private static readonly string[] OpsEndpoints = ["/api/cameras", "/api/status", "/metrics"];

    private static async Task<string> ConfigAsync() =>
        ConsoleApiTests.Config(await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30)).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal);

    [SharedDataFact]
    public async Task Operations_endpoints_need_an_admin_session_or_the_ops_token_and_probes_learn_nothing_sensitive()
    {
        await using var vision = await VisionProcess.StartAsync(await ConfigAsync());
        ConsoleApiTests.AddUser(vision.ConfigPath, "zhang", "officer");
        ConsoleApiTests.AddUser(vision.ConfigPath, "boss", "admin");
        using var anonymous = new HttpClient { BaseAddress = new Uri(vision.BaseUrl) };
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, "zhang");
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, "boss");

        foreach (string path in OpsEndpoints)
        {
            var refused = await anonymous.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{path} without credentials: {refused.StatusCode}");
            Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(anonymous, path, "not-the-token-0123456789")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(anonymous, path, vision.OpsToken)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(path)).StatusCode);
        }
        Assert.Contains("vision_camera_frames_received_total", await (await SendAsync(anonymous, "/metrics", vision.OpsToken)).Content.ReadAsStringAsync());

        // Probes stay open; /readyz tells ready or not and a coarse reason, not where anything lives.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        var ready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        string readyBody = await ready.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(readyBody).RootElement.GetProperty("ready").GetBoolean());
        foreach (string secret in new[] { vision.WorkDirectory, "bottle-detection", "cam-bottles", "source" })
            Assert.DoesNotContain(secret, readyBody);

        // The token never reaches the log, even after wrong ones were tried.
        Assert.DoesNotContain(vision.OpsToken, vision.Output);
        Assert.DoesNotContain("not-the-token-0123456789", vision.Output);

        // A client's X-Forwarded-Proto is not believed unless VISION_TRUSTED_PROXIES names its address: no Secure cookie over http.
        using var spoofing = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { username = "zhang", password = ConsoleApiTests.Password }) };
        request.Headers.Add("X-Forwarded-Proto", "https");
        var signIn = await spoofing.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.DoesNotContain("secure", SessionCookie(signIn), StringComparison.OrdinalIgnoreCase);
    }

    [SharedDataFact]
    public async Task Over_https_with_a_kestrel_certificate_cookies_are_secure_and_the_token_file_is_read()
    {
        using var work = new TempFolder();
        string cert = Path.Combine(work.Path, "cert.pem"), key = Path.Combine(work.Path, "key.pem"), tokenFile = Path.Combine(work.Path, "ops-token");
        Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
        await File.WriteAllTextAsync(tokenFile, "from-a-file-0123456789abcdef\n");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_Kestrel__Certificates__Default__Path"] = cert,
            ["ASPNETCORE_Kestrel__Certificates__Default__KeyPath"] = key,
            ["VISION_OPS_TOKEN"] = "",
            ["VISION_OPS_TOKEN_FILE"] = tokenFile,
        };
        await using var vision = await VisionProcess.StartAsync(await ConfigAsync(), environment: environment, https: true);
        ConsoleApiTests.AddUser(vision.ConfigPath, "zhang", "officer");
        Assert.StartsWith("https://", vision.BaseUrl);

        // Trust exactly the certificate made above.
        using var pem = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert));
        string thumbprint = pem.Thumbprint;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == thumbprint },
        }) { BaseAddress = new Uri(vision.BaseUrl) };

        var signIn = await client.PostAsJsonAsync("/api/session", new { username = "zhang", password = ConsoleApiTests.Password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("secure", SessionCookie(signIn), StringComparison.OrdinalIgnoreCase);
        var session = await client.GetAsync("/api/session");
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        string csrf = session.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vision.csrf=", StringComparison.Ordinal));
        Assert.Contains("secure", csrf, StringComparison.OrdinalIgnoreCase);
        Assert.True(session.Headers.CacheControl?.NoStore, "Cache-Control: no-store");

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, "/metrics", "from-a-file-0123456789abcdef")).StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vision.session=", StringComparison.Ordinal));

    private static void Openssl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "openssl: " + output);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vision-tls-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
        }
    }
}
