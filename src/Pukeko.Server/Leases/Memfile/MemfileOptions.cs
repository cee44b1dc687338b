namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Settings of the memfile lease database (Kea's <c>lease-database</c> with <c>type: memfile</c>).
/// </summary>
/// <param name="FilePath">The current lease file (<c>name</c>); LFC uses <c>.1</c>, <c>.2</c>, <c>.output</c>, <c>.completed</c>, <c>.pid</c> next to it.</param>
/// <param name="Persist">False keeps leases in memory only (no file is read or written).</param>
/// <param name="LfcIntervalSeconds">Seconds between automatic lease file cleanups; 0 disables the timer.</param>
/// <param name="MaxRowErrors">Bad rows tolerated while loading; 0 = unlimited (every bad row is only skipped and logged).</param>
internal sealed record MemfileOptions(string FilePath, bool Persist = true, uint LfcIntervalSeconds = 3600, uint MaxRowErrors = 0);
