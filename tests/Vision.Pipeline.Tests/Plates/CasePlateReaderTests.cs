using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Plates;

public sealed class CasePlateReaderTests
{
    [Fact]
    public void No_plates_config_reads_no_plates()
    {
        Assert.Null(CasePlateReader.Open(null));
    }

    [Fact]
    public void A_missing_models_folder_names_the_config_key_and_how_to_get_the_models()
    {
        string missing = Path.Combine(Path.GetTempPath(), "vision-no-plate-models-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<ModelLoadException>(() => CasePlateReader.Open(new PlatesConfig(missing)));

        Assert.StartsWith("plates.models in the config: ", e.Message);
        Assert.Contains(missing, e.Message);
        Assert.Contains("get-plate-models.sh", e.Message);
        Assert.DoesNotContain("--models", e.Message);
    }
}
