namespace Pukeko.Server.Leases;

/// <summary>How many leases of one subnet have one type and state.</summary>
internal readonly record struct LeaseCount(uint SubnetId, LeaseType Type, LeaseState State, long Count);
