using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vision.Dispatch;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>The test receiver behaves as the city's dispatch core, driven by a plain HttpClient signing with <see cref="WebhookSignature"/>.</summary>
public sealed class WebhookReceiverTests : IAsyncLifetime
{
    private const string KeyId = "k1";
    private static readonly byte[] Key = Convert.FromHexString("5f2a9c0e4b7d1a3c6e8f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d");
    private static readonly byte[] OtherKey = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(KeyId, Key);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_case_is_accepted_once_and_a_repeat_of_its_idempotency_key_is_replayed_without_a_new_effect()
    {
        using var first = await PostAsync("case-1", """{"caseId":"case-1","violation":"litter"}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        string caseNo = await CaseNoAsync(first);
        Assert.StartsWith("CITY-", caseNo);

        using var again = await PostAsync("case-1", """{"caseId":"case-1","violation":"litter"}""");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", Assert.Single(again.Headers.GetValues(WebhookReceiver.ReplayedHeader)));
        Assert.Equal(caseNo, await CaseNoAsync(again));

        using var other = await PostAsync("case-2", """{"caseId":"case-2"}""");
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.NotEqual(caseNo, await CaseNoAsync(other));

        Assert.Equal(1, _receiver.Replays);
        Assert.Equal(0, _receiver.RejectedSignatures);
        Assert.Equal(["case-1", "case-2"], _receiver.Accepted.Select(c => c.IdempotencyKey));
        var accepted = _receiver.Accepted[0];
        Assert.Equal(caseNo, accepted.CaseNo);
        Assert.Equal("litter", accepted.Json.GetProperty("violation").GetString());
        Assert.Equal("""{"caseId":"case-1","violation":"litter"}""", Encoding.UTF8.GetString(accepted.Body));
        Assert.Equal(2, accepted.AttemptTimes.Count);
        Assert.Equal(accepted.ReceivedAt, accepted.AttemptTimes[0]);
        Assert.Equal([201, 200, 201], _receiver.Attempts.Select(a => a.Status));
    }

    [Fact]
    public async Task A_wrong_missing_or_stale_signature_or_an_unknown_key_id_is_answered_401_and_counted()
    {
        using var wrongKey = await PostAsync("case-1", """{"caseId":"case-1"}""", new WebhookSignature(KeyId, OtherKey));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Contains("Mismatch", await ErrorAsync(wrongKey));

        using var unknownKeyId = await PostAsync("case-1", """{"caseId":"case-1"}""", new WebhookSignature("k2", Key));
        Assert.Equal(HttpStatusCode.Unauthorized, unknownKeyId.StatusCode);
        Assert.Contains("unknown key id 'k2'", await ErrorAsync(unknownKeyId));

        using var stale = await PostAsync("case-1", """{"caseId":"case-1"}""", at: DateTimeOffset.UtcNow.AddMinutes(-6));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains("TooOld", await ErrorAsync(stale));

        using var unsigned = await PostUnsignedAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        _receiver.UseKey(KeyId, OtherKey);
        using var receiverHasOtherKey = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, receiverHasOtherKey.StatusCode);

        Assert.Equal(5, _receiver.RejectedSignatures);
        Assert.Empty(_receiver.Accepted);
        Assert.All(_receiver.Attempts, a => Assert.Equal(401, a.Status));

        _receiver.Normal();
        using var signed = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        Assert.Equal(6, Assert.Single(_receiver.Accepted).AttemptTimes.Count);
    }

    [Fact]
    public async Task Answering_500_twice_gives_two_failures_without_effect_and_then_the_case_is_accepted()
    {
        _receiver.AnswerWith(500, times: 2);
        using var firstTry = await PostAsync("case-1", """{"caseId":"case-1"}""");
        using var secondTry = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Empty(_receiver.Accepted);
        using var thirdTry = await PostAsync("case-1", """{"caseId":"case-1"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, firstTry.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, secondTry.StatusCode);
        Assert.Equal(HttpStatusCode.Created, thirdTry.StatusCode);
        Assert.Equal([500, 500, 201], _receiver.Attempts.Select(a => a.Status));
        Assert.Equal(3, Assert.Single(_receiver.Accepted).AttemptTimes.Count);
    }

    [Fact]
    public async Task A_problem_answer_carries_a_json_error_and_retry_after_until_normal()
    {
        _receiver.AnswerWith(400, error: "violation 'parking' is not a known type");
        using var rejected = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("application/json", rejected.Content.Headers.ContentType?.MediaType);
        Assert.Equal("violation 'parking' is not a known type", await ErrorAsync(rejected));

        _receiver.AnswerWith(429, times: 1, retryAfter: TimeSpan.FromSeconds(7));
        using var throttled = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), throttled.Headers.RetryAfter?.Delta);

        using var afterTheOne429 = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.Created, afterTheOne429.StatusCode);

        _receiver.AnswerWith(503);
        using var unavailable = await PostAsync("case-2", """{"caseId":"case-2"}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        _receiver.Normal();
        using var recovered = await PostAsync("case-2", """{"caseId":"case-2"}""");
        Assert.Equal(HttpStatusCode.Created, recovered.StatusCode);
    }

    [Fact]
    public async Task A_request_without_an_idempotency_key_or_with_a_body_that_is_not_json_is_answered_400()
    {
        using var noKey = await PostAsync(null, """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("Idempotency-Key", await ErrorAsync(noKey));

        using var notJson = await PostAsync("case-1", "{\"caseId\":");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("not JSON", await ErrorAsync(notJson));
        Assert.Empty(_receiver.Accepted);
    }

    [Fact]
    public async Task After_stop_connections_are_refused_and_start_again_listens_on_the_same_port()
    {
        var casesUrl = _receiver.CasesUrl;
        using (var before = await PostAsync("case-1", """{"caseId":"case-1"}"""))
            Assert.Equal(HttpStatusCode.Created, before.StatusCode);

        await _receiver.StopAsync();
        Assert.False(_receiver.IsRunning);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync("case-2", """{"caseId":"case-2"}"""));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);

        await _receiver.StartAgainAsync();
        Assert.Equal(casesUrl, _receiver.CasesUrl);
        using var after = await PostAsync("case-2", """{"caseId":"case-2"}""");
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        using var replayed = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(["case-1", "case-2"], _receiver.Accepted.Select(c => c.IdempotencyKey));
    }

    [Fact]
    public async Task A_delay_makes_a_short_client_timeout_fire_though_the_case_was_accepted_so_the_retry_is_a_replay()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        // A first request warms up the connection, so the timed one reaches the receiver well within the client's timeout.
        using (var warmUp = await PostAsync("case-0", """{"caseId":"case-0"}""", client: impatient))
            Assert.Equal(HttpStatusCode.Created, warmUp.StatusCode);

        _receiver.Delay(TimeSpan.FromSeconds(30));
        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() => PostAsync("case-1", """{"caseId":"case-1"}""", client: impatient));
        Assert.IsType<TimeoutException>(timedOut.InnerException);

        await _receiver.WaitForAcceptedAsync(2, Patience);
        _receiver.Normal();
        using var retry = await PostAsync("case-1", """{"caseId":"case-1"}""");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(1, _receiver.Replays);
        Assert.Equal(["case-0", "case-1"], _receiver.Accepted.Select(c => c.IdempotencyKey));
    }

    [Fact]
    public async Task Waiting_for_more_cases_than_arrive_times_out_saying_what_did_arrive()
    {
        _receiver.AnswerWith(503);
        using var unavailable = await PostAsync("case-1", """{"caseId":"case-1"}""");
        var e = await Assert.ThrowsAsync<TimeoutException>(() => _receiver.WaitForAcceptedAsync(1, TimeSpan.FromMilliseconds(200)));
        Assert.Contains("0 of 1 case(s) accepted", e.Message);
        Assert.Contains("key=case-1 503", e.Message);
    }

    private async Task<HttpResponseMessage> PostAsync(string? idempotencyKey, string body, WebhookSignature? signature = null, DateTimeOffset? at = null, HttpClient? client = null)
    {
        signature ??= new WebhookSignature(KeyId, Key);
        long unixSeconds = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        using var request = Request(idempotencyKey, body);
        request.Headers.Add(WebhookSignature.TimestampHeader, WebhookSignature.FormatTimestamp(unixSeconds));
        request.Headers.Add(WebhookSignature.KeyIdHeader, signature.KeyId);
        request.Headers.Add(WebhookSignature.SignatureHeader, signature.Sign(unixSeconds, Encoding.UTF8.GetBytes(body)));
        return await (client ?? _client).SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostUnsignedAsync(string idempotencyKey, string body)
    {
        using var request = Request(idempotencyKey, body);
        return await _client.SendAsync(request);
    }

    private HttpRequestMessage Request(string? idempotencyKey, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _receiver.CasesUrl)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (idempotencyKey is not null) request.Headers.Add(WebhookSignature.IdempotencyKeyHeader, idempotencyKey);
        return request;
    }

    private static async Task<string> CaseNoAsync(HttpResponseMessage response) => await PropertyAsync(response, "caseNo");

    private static async Task<string> ErrorAsync(HttpResponseMessage response) => await PropertyAsync(response, "error");

    private static async Task<string> PropertyAsync(HttpResponseMessage response, string name)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty(name).GetString() ?? throw new InvalidDataException($"{name} is null");
    }
}
