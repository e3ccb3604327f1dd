using TTScale.Reporting;

namespace TTScale.Tests.Reporting;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData(1_040_000, "1016 KiB")] // was "1.02E+03 KiB": three significant digits of 1015.6 need an exponent
    [InlineData(1_048_575, "1024 KiB")]
    [InlineData(524_288, "512 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(512, "512 B")]
    public void BytesNeverTurnToExponents(double bytes, string text) => Assert.Equal(text, ReportFormat.Bytes(bytes));

    [Theory]
    [InlineData(999_999, "1000k")] // was "1E+03k"
    [InlineData(999_600_000, "1000M")]
    [InlineData(186_000_000, "186M")]
    [InlineData(1_050_000_000, "1.05G")]
    [InlineData(36.6, "36.6")]
    public void AmountsNeverTurnToExponents(double value, string text) => Assert.Equal(text, ReportFormat.Amount(value));
}
