namespace Pukeko.Server.Leases;

/// <summary>
/// <c>sanity-checks.extended-info-checks</c> (Kea 2.4 and later): how far the relay information kept in a lease's
/// user context (<c>ISC.relay-info</c>) is checked when the memfile lease file is loaded and when a lease command
/// brings a lease. Each level checks what the one before it does, and more; a relay list that fails is dropped.
/// </summary>
internal enum ExtendedInfoSanityMode
{
    /// <summary>Nothing is checked or changed.</summary>
    None,

    /// <summary>
    /// Kea's default: the Kea 2.2 form (<c>ISC.relays</c>) becomes <c>ISC.relay-info</c> with the Remote-ID and
    /// Relay-ID taken out of the stored options; empty maps are removed; the list, its maps and their options must
    /// be readable.
    /// </summary>
    Fix,

    /// <summary>As <see cref="Fix"/>, and each relay needs an IPv6 <c>link</c>; <c>remote-id</c> and <c>relay-id</c> must be non-empty hex.</summary>
    Strict,

    /// <summary>As <see cref="Strict"/>, and each relay needs an IPv6 <c>peer</c>, an integer <c>hop</c> and no other keys.</summary>
    Pedantic,
}
