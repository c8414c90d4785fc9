using Vision.Models.Plates;

namespace Vision.Models.Tests.Plates;

public sealed class PlateFormatTests
{
    [Theory]
    [InlineData("京A12345")] // blue, private
    [InlineData("苏E05EV8")]
    [InlineData("沪AGH092")]
    [InlineData("粤BD12345")] // green, small new-energy: D + letter/digit + 4 digits
    [InlineData("粤BDF1234")]
    [InlineData("皖KD01833")]
    [InlineData("粤B12345F")] // green, large new-energy: 5 digits + D/F
    [InlineData("粤B1234学")]
    [InlineData("京A0001警")]
    [InlineData("京O1234警")] // O as issuing authority is for police plates
    [InlineData("粤B1234挂")]
    [InlineData("粤Z1234港")]
    [InlineData("粤Z123A澳")]
    [InlineData("沪A1234领")]
    [InlineData("使014578")]
    public void Real_plate_formats_are_valid(string plate)
    {
        Assert.True(PlateFormat.IsValid(plate), PlateFormat.Explain(plate));
        Assert.Equal(plate, PlateFormat.Normalise(plate));
    }

    [Theory]
    [InlineData("港A12345")] // not a province
    [InlineData("AA12345")]
    [InlineData("京A1234")] // too short
    [InlineData("京A")]
    [InlineData("京A1234567")] // too long
    [InlineData("京I12345")] // I is no authority letter
    [InlineData("京A1234O")] // I and O are not used in serials (they read as 1 and 0)
    [InlineData("京AI2345")]
    [InlineData("京O12345")] // O authority without 警
    [InlineData("粤BA12345")] // 8 characters but neither D/F rule
    [InlineData("粤B123456")]
    [InlineData("京A1234港")] // 港 plates are 粤Z
    [InlineData("京A12345学")]
    [InlineData("")]
    public void Wrong_formats_are_rejected_with_a_reason(string plate)
    {
        Assert.False(PlateFormat.IsValid(plate));
        Assert.NotNull(PlateFormat.Explain(plate));
        Assert.Null(PlateFormat.Normalise(plate));
    }

    [Theory]
    [InlineData("苏E·05EV8", "苏E05EV8")]
    [InlineData("京A-12345", "京A12345")]
    [InlineData(" 粤B D12345 ", "粤BD12345")]
    [InlineData("京Ａ１２３４５", "京A12345")] // full-width
    [InlineData("沪agh092", "沪AGH092")]
    public void Normalise_strips_separators_and_makes_letters_ascii_upper_case(string raw, string plate) =>
        Assert.Equal(plate, PlateFormat.Normalise(raw));

    [Fact]
    public void Normalise_changes_no_character_into_another()
    {
        // An O where only 0 may stand is refused, not read as 0.
        Assert.Null(PlateFormat.Normalise("京A1234O"));
        Assert.Equal("京A1234O", PlateFormat.Clean("京A·1234O"));
    }
}
