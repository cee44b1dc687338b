namespace Pukeko.Server.Configuration;

/// <summary>
/// Directories the configuration is resolved against. Kea takes them from environment variables so that packagers and
/// containers can relocate them; Pukeko reads the same variables so existing deployments keep working.
/// </summary>
internal sealed record ConfigEnvironment(string DataDirectory, string LogDirectory, string ControlSocketDirectory, string HooksDirectory)
{
    public const string DataDirectoryVariable = "KEA_DHCP_DATA_DIR";
    public const string LogDirectoryVariable = "KEA_LOG_FILE_DIR";
    public const string ControlSocketDirectoryVariable = "KEA_CONTROL_SOCKET_DIR";
    public const string HooksDirectoryVariable = "KEA_HOOKS_PATH";

    /// <summary>Kea 3.x's variable for the forensic log directory (<c>libdhcp_legal_log.so</c>'s default <c>path</c>).</summary>
    public const string LegalLogDirectoryVariable = "KEA_LEGAL_LOG_DIR";

    /// <summary>Kea 3.x's variable for the directory of scripts hook libraries run (run_script, forensic log rotation).</summary>
    public const string HookScriptsDirectoryVariable = "KEA_HOOK_SCRIPTS_PATH";

    /// <summary>Kea 3.x's default scripts directory, <c>[prefix]/share/kea/scripts</c> with Debian's prefix.</summary>
    public const string DefaultHookScriptsDirectory = "/usr/share/kea/scripts";

    public const string DefaultDataDirectory = "/var/lib/kea";
    public const string DefaultLogDirectory = "/var/log/kea";
    public const string DefaultControlSocketDirectory = "/run/kea";

    /// <summary>
    /// Kea's <c>-X</c>: path rules that Kea 3.x enforces (a UNIX control socket, lease file, log file or hook library
    /// outside its directory; an unsecured HTTP control socket) become warnings instead of errors. Not read from the
    /// environment; the daemon sets it from its command line.
    /// </summary>
    public bool RelaxedSecurity { get; init; }

    /// <summary>
    /// <c>KEA_LEGAL_LOG_DIR</c> when set; null means <see cref="LogDirectory"/> (Kea 3.x installs both as
    /// <c>[prefix]/var/log/kea</c>).
    /// </summary>
    public string? LegalLogDirectoryOverride { get; init; }

    /// <summary>Where the forensic log is written when its <c>path</c> is absent, and what a relative <c>path</c> is resolved against.</summary>
    public string LegalLogDirectory => LegalLogDirectoryOverride ?? LogDirectory;

    /// <summary>Where scripts run by hook libraries must lie in a Kea 3.x configuration (<c>KEA_HOOK_SCRIPTS_PATH</c>).</summary>
    public string HookScriptsDirectory { get; init; } = DefaultHookScriptsDirectory;

    /// <summary>
    /// Where .NET hook libraries are looked for and, for a Kea 3.x configuration, must lie: the <c>hooks</c> directory
    /// of this installation (<c>/usr/lib/pukeko/hooks</c> for the Debian package), as Kea's is
    /// <c>[prefix]/lib/kea/hooks</c>. Kea's own libraries are built in or ignored by name, so a Kea configuration's
    /// paths to them keep working whatever this directory is.
    /// </summary>
    public static string DefaultHooksDirectory { get; } = Path.Combine(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), "hooks");

    /// <summary>Reads the Kea variables from the process environment, falling back to the packaged defaults.</summary>
    public static ConfigEnvironment FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>Same as <see cref="FromEnvironment()"/> with an explicit variable source (tests, embedding).</summary>
    public static ConfigEnvironment FromVariables(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);

        string Get(string name, string fallback)
        {
            var value = getVariable(name);
            return string.IsNullOrWhiteSpace(value) ? fallback : value;
        }

        return new ConfigEnvironment(
            Get(DataDirectoryVariable, DefaultDataDirectory),
            Get(LogDirectoryVariable, DefaultLogDirectory),
            Get(ControlSocketDirectoryVariable, DefaultControlSocketDirectory),
            Get(HooksDirectoryVariable, DefaultHooksDirectory))
        {
            LegalLogDirectoryOverride = string.IsNullOrWhiteSpace(getVariable(LegalLogDirectoryVariable)) ? null : getVariable(LegalLogDirectoryVariable),
            HookScriptsDirectory = Get(HookScriptsDirectoryVariable, DefaultHookScriptsDirectory),
        };
    }
}
