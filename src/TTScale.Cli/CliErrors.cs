namespace TTScale.Cli;

/// <summary>A user error: bad input or options. Printed as one line naming what is wrong; exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

internal static class CliErrors
{
    public const int UserError = 2;

    /// <summary>A library's argument error as a CLI error: its message without .NET's "(Parameter ...)" tail, after the option it concerns.</summary>
    public static CliException FromArgument(ArgumentException e, string? option = null)
    {
        string message = e.Message.Split(" (Parameter")[0];
        return new CliException(option is null ? message : $"{option}: {message}");
    }

    /// <summary>Calls into the library, turning its argument errors (which name the option, or are put after <paramref name="option"/>) into CLI errors.</summary>
    public static T Checked<T>(Func<T> call, string? option = null)
    {
        try
        {
            return call();
        }
        catch (ArgumentException e)
        {
            throw FromArgument(e, option);
        }
    }

    /// <summary>Runs a command, turning user errors into a message on stderr and a non-zero exit code.</summary>
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is CliException or FormatException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
    }
}
