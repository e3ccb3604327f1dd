using TTScale.Reporting.Model;

namespace TTScale.Cli;

/// <summary>
/// A file <c>ttscale report</c> is given besides the sweep (<c>--fit fit.json</c>, <c>--policy policy.json</c>), read
/// into the report model: parse the file, then add its pieces with <see cref="ScalingReportData.WithPoints"/>,
/// <see cref="ScalingReportData.WithFit"/>, <see cref="ScalingReportData.WithComputeOptimal"/> and
/// <see cref="ScalingReportData.WithAdaptive"/>.
/// </summary>
internal interface IReportInput
{
    /// <summary>Returns <paramref name="data"/> with the file's content added; bad content is a <see cref="CliException"/> naming the file.</summary>
    ScalingReportData Apply(ScalingReportData data, string path);
}
