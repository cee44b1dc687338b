using Pukeko.Server.Reservations;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary><c>reservations-global</c>/<c>-in-subnet</c>/<c>-out-of-pool</c> (or <c>reservation-mode</c>) at one level.</summary>
internal sealed class ReservationModesDraft
{
    public bool? Global { get; set; }

    public bool? InSubnet { get; set; }

    public bool? OutOfPool { get; set; }

    public ReservationModes Resolve(ReservationModes inherited) =>
        new(Global ?? inherited.Global, InSubnet ?? inherited.InSubnet, OutOfPool ?? inherited.OutOfPool);

    public static void Register<TDraft>(KeyTable<TDraft> table, Func<TDraft, ReservationModesDraft> select)
    {
        table.On("reservations-global", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                select(d).Global = b;
            }
        });
        table.On("reservations-in-subnet", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                select(d).InSubnet = b;
            }
        });
        table.On("reservations-out-of-pool", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                select(d).OutOfPool = b;
            }
        });
        table.On("reservation-mode", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            if (ReservationModes.FromLegacyMode(s) is not { } modes)
            {
                c.Error(p, $"invalid reservation-mode '{s}' (expected all, out-of-pool, global or disabled)");
                return;
            }

            c.Warn(p, "'reservation-mode' is deprecated; use reservations-global, reservations-in-subnet and reservations-out-of-pool");
            var draft = select(d);
            draft.Global ??= modes.Global;
            draft.InSubnet ??= modes.InSubnet;
            draft.OutOfPool ??= modes.OutOfPool;
        });
    }
}
