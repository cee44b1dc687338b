namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// The file names of Kea's lease file cleanup protocol, derived from the current lease file name.
/// Kea's server and its kea-lfc process agree on these names, and recovery after a crash depends only on
/// which of them exist, so they must match exactly.
/// </summary>
internal sealed record LeaseFileSet(string Current)
{
    /// <summary><c>name.2</c>: result of the previous cleanup (kea-lfc <c>-x</c>).</summary>
    public string Previous { get; } = Current + ".2";

    /// <summary><c>name.1</c>: the rotated-away current file awaiting cleanup (kea-lfc <c>-i</c>).</summary>
    public string Input { get; } = Current + ".1";

    /// <summary><c>name.output</c>: cleanup output being written; never loaded (kea-lfc <c>-o</c>).</summary>
    public string Output { get; } = Current + ".output";

    /// <summary><c>name.completed</c>: finished cleanup output; supersedes .2 and .1 (kea-lfc <c>-f</c>).</summary>
    public string Finished { get; } = Current + ".completed";

    /// <summary><c>name.pid</c>: held while a cleanup runs (kea-lfc <c>-p</c>).</summary>
    public string Pid { get; } = Current + ".pid";
}
