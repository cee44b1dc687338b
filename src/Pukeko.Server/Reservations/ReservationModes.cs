namespace Pukeko.Server.Reservations;

/// <summary>
/// Where reservations are looked for (<c>reservations-global</c>, <c>-in-subnet</c>, <c>-out-of-pool</c>, or the old
/// <c>reservation-mode</c>). Kea defaults: global false, in-subnet true, out-of-pool false.
/// </summary>
internal readonly record struct ReservationModes(bool Global, bool InSubnet, bool OutOfPool)
{
    public static ReservationModes Default { get; } = new(false, true, false);

    /// <summary>Kea's <c>reservation-mode</c> values: all, out-of-pool, global, disabled.</summary>
    public static ReservationModes? FromLegacyMode(string mode) => mode switch
    {
        "all" => new ReservationModes(false, true, false),
        "out-of-pool" => new ReservationModes(false, true, true),
        "global" => new ReservationModes(true, false, false),
        "disabled" => new ReservationModes(false, false, false),
        _ => null,
    };
}
