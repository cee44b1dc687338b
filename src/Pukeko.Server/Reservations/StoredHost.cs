namespace Pukeko.Server.Reservations;

/// <summary>A host as a host database holds it: its row id (<c>hosts.host_id</c>, what paging counts) and the host.</summary>
internal readonly record struct StoredHost(long HostId, HostReservation Host);
