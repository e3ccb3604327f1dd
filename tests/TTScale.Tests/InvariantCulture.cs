using System.Globalization;
using System.Runtime.CompilerServices;

namespace TTScale.Tests;

/// <summary>Tests compare printed figures, which the CLI prints under the invariant culture whatever the machine's locale.</summary>
internal static class InvariantCulture
{
    [ModuleInitializer]
    internal static void Set() =>
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
}
