namespace TTScale.Tests;

/// <summary>A fact that needs Linux's /proc, a folder where no one can create a file (root included); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux's /proc (a folder no one can write to, root included)";
    }
}
