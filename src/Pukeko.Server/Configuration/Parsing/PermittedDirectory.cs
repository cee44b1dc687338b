namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Kea 3.x's rule for a file the configuration names (lease file, log file, hook library): it must lie directly in
/// the directory Kea permits for that kind of file, which an environment variable may move. A bare name is a file in
/// that directory. Each kind reports with Kea's wording and warning message id.
/// </summary>
/// <remarks>
/// Pukeko is never stricter than the Kea a configuration was written for. Kea 2.x had no such rule, so a file outside
/// the directory is refused only in a configuration that shows it was written for Kea 3.x (see
/// <see cref="ParseContext.WrittenForKea3"/>), and there <c>-X</c> turns the refusal into a warning, as Kea's
/// <c>-X</c> does. Elsewhere the file is accepted with a warning that names the rule. A name without a file part is
/// refused in every case, as Kea 3.x does even with <c>-X</c>. Paths are compared after normalisation, so
/// <c>/var/lib/kea/./x</c> counts as in <c>/var/lib/kea</c> (Kea compares the text and would refuse it).
/// </remarks>
internal sealed record PermittedDirectory(string Kind, string ErrorPrefix, string WarningId, string WarningText)
{
    /// <summary>memfile <c>lease-database.name</c> in <c>KEA_DHCP_DATA_DIR</c>.</summary>
    public static readonly PermittedDirectory LeaseFile = new(
        "lease file", "", "DHCPSRV_MEMFILE_PATH_SECURITY_WARNING", "Lease file path specified is NOT SECURE");

    /// <summary><c>loggers[].output-options[].output</c> (a file, not stdout/stderr/syslog) in <c>KEA_LOG_FILE_DIR</c>.</summary>
    public static readonly PermittedDirectory LogFile = new(
        "log file", "invalid path in `output`: ", "DCTL_LOG_PATH_SECURITY_WARNING", "Log output path specified is NOT SECURE");

    /// <summary><c>hooks-libraries[].library</c> (a .NET assembly; Kea's own libraries are exempt) in <c>KEA_HOOKS_PATH</c>.</summary>
    public static readonly PermittedDirectory HookLibrary = new(
        "hook library", "hooks library configuration error: ", "HOOKS_LIBPATH_SECURITY_WARNING", "Library path specified is NOT SECURE");

    /// <summary>A script a hook library runs (run_script's <c>name</c>, the forensic log's <c>prerotate</c>/<c>postrotate</c>) in <c>KEA_HOOK_SCRIPTS_PATH</c>.</summary>
    public static readonly PermittedDirectory HookScript = new(
        "hook script", "", "HOOKS_SCRIPT_PATH_SECURITY_WARNING", "Hook script path specified is NOT SECURE");

    /// <summary>The forensic log's <c>path</c> (a directory) in <c>KEA_LEGAL_LOG_DIR</c>.</summary>
    public static readonly PermittedDirectory LegalLogDirectory = new(
        "forensic log directory", "", "LEGAL_LOG_PATH_SECURITY_WARNING", "Forensic log path specified is NOT SECURE");

    /// <summary>
    /// Applies the rule to a directory the configuration names (the forensic log's <c>path</c>), which must be the
    /// permitted directory itself, reporting at <paramref name="path"/>. Returns false when it is refused.
    /// </summary>
    public bool CheckDirectory(string name, string directory, string path, ParseContext context)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(context);
        var permitted = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var given = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(permitted, name.Trim())));
        return string.Equals(given, permitted, StringComparison.Ordinal)
            || Report($"invalid path specified: '{name}', supported path is '{permitted}'", path, context);
    }

    /// <summary>
    /// Resolves <paramref name="name"/> against <paramref name="directory"/> and applies the rule, reporting at
    /// <paramref name="path"/>. Returns the full path to use, or null when the name is refused (an error was reported).
    /// </summary>
    public string? Resolve(string name, string directory, string path, ParseContext context)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(context);
        var trimmed = name.Trim();
        var file = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        if (file is "" or "." or "..")
        {
            context.Error(path, $"{ErrorPrefix}path: '{trimmed}' has no filename");
            return null;
        }

        // Where a name with a directory part lands is unchanged by the rule: Pukeko has always resolved a relative
        // name against the directory; an absolute one is used as written.
        var permitted = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var full = Path.GetFullPath(Path.Combine(permitted, trimmed));
        var parent = Path.GetDirectoryName(full) ?? "/";
        var bare = !trimmed.Contains('/', StringComparison.Ordinal);
        if (bare || (parent != "/" && string.Equals(Path.TrimEndingDirectorySeparator(parent), permitted, StringComparison.Ordinal)))
        {
            return full;
        }

        var given = Path.GetDirectoryName(trimmed) is { Length: > 0 } d ? d : "/";
        return Report($"invalid path specified: '{given}', supported path is '{permitted}'", path, context) ? full : null;
    }

    /// <summary>Refuses (false) in a Kea 3.x configuration without <c>-X</c>; otherwise warns and accepts (true).</summary>
    private bool Report(string problem, string path, ParseContext context)
    {
        var relaxed = context.Environment.RelaxedSecurity;
        if (context.WrittenForKea3 && !relaxed)
        {
            context.Error(path, ErrorPrefix + problem);
            return false;
        }

        var why = relaxed
            ? "accepted because security checks are relaxed (-X)"
            : $"accepted in a Kea 2.x configuration (no 'control-sockets' list); Kea 3.x refuses a {Kind} elsewhere";
        context.Warn(path, $"{WarningText}: {problem}; {why}", WarningId);
        return true;
    }
}
