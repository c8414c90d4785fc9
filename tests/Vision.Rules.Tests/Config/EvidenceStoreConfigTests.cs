using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class EvidenceStoreConfigTests
{
    [Fact]
    public void Without_a_store_section_evidence_goes_to_a_local_folder_inside_the_spool_for_180_days()
    {
        var config = Parse(Minimal);

        Assert.Equal(EvidenceStoreType.Local, config.Evidence.Store.Type);
        Assert.Equal(Path.Combine("evidence", "store"), config.Evidence.LocalStoreDirectory);
        Assert.Equal(TimeSpan.FromDays(180), config.Evidence.Retention.For(ViolationType.Litter));
        Assert.Equal(10L << 30, config.Evidence.SpoolMaxBytes);
    }

    [Fact]
    public void An_s3_store_is_read_with_its_endpoint_tls_bucket_and_upload_settings()
    {
        var config = Parse(Minimal + """
            evidence:
              spool_max_bytes: 1073741824
              store:
                type: s3
                endpoint: minio.example:9000
                tls: false
                bucket: city-evidence
                region: cn-north-1
                credentials_file: /etc/vision/s3.env
                presign_expiry: 5m
                upload_concurrency: 8

            """);

        var store = config.Evidence.Store;
        Assert.Equal((EvidenceStoreType.S3, "minio.example", 9000, false), (store.Type, store.Host, store.Port, store.Tls));
        Assert.Equal(("city-evidence", "cn-north-1", "/etc/vision/s3.env"), (store.Bucket, store.Region, store.CredentialsFile));
        Assert.Equal((TimeSpan.FromMinutes(5), 8), (store.PresignExpiry, store.UploadConcurrency));
        Assert.Equal(1L << 30, config.Evidence.SpoolMaxBytes);
        Assert.Equal("s3 http://minio.example:9000/city-evidence", store.Describe());
    }

    [Theory]
    [InlineData("minio.example:9000", null, "minio.example", 9000, true)]
    [InlineData("http://127.0.0.1:4568", null, "127.0.0.1", 4568, false)]
    [InlineData("https://s3.example", null, "s3.example", 443, true)]
    [InlineData("s3.example", "false", "s3.example", 80, false)]
    public void Endpoints_are_host_and_port_or_a_url_whose_scheme_sets_tls(string endpoint, string? tls, string host, int port, bool expectTls)
    {
        string tlsLine = tls is null ? "" : $"\n    tls: {tls}";
        var store = Parse(Minimal + $"evidence:\n  store:\n    type: s3\n    endpoint: {endpoint}{tlsLine}\n").Evidence.Store;

        Assert.Equal((host, port, expectTls), (store.Host!, store.Port, store.Tls));
    }

    [Fact]
    public void A_url_scheme_that_contradicts_tls_is_refused_at_its_line()
    {
        SingleError(Minimal + "evidence:\n  store:\n    type: s3\n    endpoint: https://s3.example\n    tls: false\n",
            AppendedLine + 3, "evidence.store.endpoint", "says https but tls is false");
    }

    [Fact]
    public void Credentials_in_the_endpoint_are_refused_and_point_to_the_environment()
    {
        SingleError(Minimal + "evidence:\n  store:\n    type: s3\n    endpoint: http://AKIA:secret@s3.example\n",
            AppendedLine + 3, "evidence.store.endpoint", "no credentials", "environment");
    }

    [Fact]
    public void An_s3_store_needs_an_endpoint()
    {
        SingleError(Minimal + "evidence:\n  store:\n    type: s3\n", AppendedLine + 1, "evidence.store.endpoint", "missing required key 'endpoint'");
    }

    [Fact]
    public void A_bad_bucket_name_is_refused_with_the_rules()
    {
        SingleError(Minimal + "evidence:\n  store:\n    type: s3\n    endpoint: s3.example\n    bucket: Evidence_2026\n",
            AppendedLine + 4, "evidence.store.bucket", "not a valid S3 bucket name");
    }

    [Fact]
    public void S3_keys_on_a_local_store_are_refused()
    {
        SingleError(Minimal + "evidence:\n  store:\n    directory: /srv/evidence\n    bucket: x-evidence\n",
            AppendedLine + 3, "evidence.store.bucket", "for 'type: s3'");
    }

    [Fact]
    public void An_unknown_store_type_suggests_the_valid_ones()
    {
        SingleError(Minimal + "evidence:\n  store:\n    type: s4\n", AppendedLine + 2, "evidence.store.type", "valid: local, s3");
    }

    [Fact]
    public void Retention_is_read_per_violation_type_with_a_default_for_the_others()
    {
        var retention = Parse(Minimal + """
            evidence:
              retention:
                default: 90d
                illegal_parking: 180d
                litter: 30d
                sweep_interval: 15m

            """).Evidence.Retention;

        Assert.Equal(TimeSpan.FromDays(180), retention.For(ViolationType.IllegalParking));
        Assert.Equal(TimeSpan.FromDays(30), retention.For(ViolationType.Litter));
        Assert.Equal(TimeSpan.FromDays(90), retention.For(ViolationType.StreetStall));
        Assert.Equal(TimeSpan.FromMinutes(15), retention.SweepInterval);
    }

    [Fact]
    public void A_retention_shorter_than_a_day_is_refused()
    {
        SingleError(Minimal + "evidence:\n  retention:\n    litter: 12h\n", AppendedLine + 2, "evidence.retention.litter", "at least 1d");
    }

    [Fact]
    public void A_misspelt_violation_type_under_retention_is_refused_with_a_suggestion()
    {
        SingleError(Minimal + "evidence:\n  retention:\n    illegal_parkng: 30d\n", AppendedLine + 2, "evidence.retention.illegal_parkng", "illegal_parking");
    }

    [Theory]
    [InlineData("180d", 180 * 24 * 3600)]
    [InlineData("1d12h", 36 * 3600)]
    public void Durations_accept_days(string text, int seconds)
    {
        Assert.True(ConfigDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
        Assert.Equal(text, ConfigDuration.Format(value));
    }
}
