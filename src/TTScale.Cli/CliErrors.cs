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

    /// <summary>Command-line syntax errors (unknown or missing options, values of the wrong type): one line each, a pointer to the help, exit code 2.</summary>
    public static int ParseFailed(System.CommandLine.ParseResult parsed)
    {
        foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {Plain(error.Message)}");
        var names = new List<string>();
        for (var command = parsed.CommandResult; command.Parent is System.CommandLine.Parsing.CommandResult parent; command = parent)
            names.Insert(0, command.Command.Name);
        Console.Error.WriteLine($"see: {string.Join(' ', ["ttscale", .. names])} --help");
        return UserError;
    }

    /// <summary>A value of the wrong type in words, not .NET's ("as expected type 'System.Nullable`1[System.Int32]'").</summary>
    private static string Plain(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\\.$");
        if (!match.Success) return message;
        string type = match.Groups[3].Value;
        string? expected = type.Contains("Int32") || type.Contains("Int64") ? "a whole number"
            : type.Contains("Double") ? "a number" : type.Contains("Boolean") ? "true or false" : null;
        return expected is null ? message : $"{match.Groups[2].Value} '{match.Groups[1].Value}' is not {expected}";
    }

    /// <summary>
    /// A number option written with a decimal comma ("--temperature 0,8"), or null: .NET reads the comma as a thousands
    /// separator, so it would run at 8, not refuse.
    /// </summary>
    public static string? DecimalComma(System.CommandLine.ParseResult parsed)
    {
        for (var command = parsed.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            foreach (var option in command.Children.OfType<System.CommandLine.Parsing.OptionResult>())
                if ((Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType) == typeof(double)
                    && option.Tokens.FirstOrDefault(t => t.Value.Contains(',')) is { } token)
                    return $"{option.Option.Name} '{token.Value}': write the number with a decimal point ({token.Value.Replace(',', '.')})";
        return null;
    }

    /// <summary>Exit code of a run stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Runs a command, turning user errors (bad input or options, files that cannot be read or written) into one line on
    /// stderr and exit code 2, and a Ctrl+C the command did not handle itself into exit code 130.
    /// </summary>
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is CliException or FormatException or InvalidDataException or NotSupportedException
            or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {(e is ArgumentException a ? FromArgument(a).Message : e.Message)}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted");
            return Interrupted;
        }
    }
}
