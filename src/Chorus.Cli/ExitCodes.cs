namespace Chorus.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran but did not (fully) succeed: invalid input, a conflict, rejected rows.</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments, bad configuration, or an import file that cannot be read at all.</summary>
    public const int Usage = 2;
    /// <summary>The database cannot be opened or migrated.</summary>
    public const int Database = 3;
}
