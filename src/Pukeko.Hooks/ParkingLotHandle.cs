namespace Pukeko.Hooks;

/// <summary>
/// A callout's view of a hook point's parking lot (Kea's <c>ParkingLotHandle</c>). To park a
/// packet explicitly: call <see cref="Reference"/> with the <c>query6</c> argument, set the status
/// to <see cref="NextStep.Park"/>, and later call <see cref="Unpark"/> (processing resumes) or
/// <see cref="Drop"/> (the packet is forgotten). An <see cref="AsyncCallout"/> does all this for you.
/// </summary>
public sealed class ParkingLotHandle
{
    private readonly ParkingLot _lot;

    /// <summary>Wraps a lot.</summary>
    /// <param name="lot">The hook point's lot.</param>
    public ParkingLotHandle(ParkingLot lot)
    {
        _lot = lot;
    }

    /// <summary>Adds a reference to a parked packet; returns the new count.</summary>
    /// <param name="parked">The parked object (the <c>query6</c> packet).</param>
    /// <returns>References held.</returns>
    /// <exception cref="InvalidOperationException">The object is not parked.</exception>
    public int Reference(object parked) => _lot.Reference(parked);

    /// <summary>Removes a reference without unparking; returns the remaining count.</summary>
    /// <param name="parked">The parked object.</param>
    /// <returns>References left, or -1 when the object is not parked.</returns>
    public int Dereference(object parked) => _lot.Dereference(parked);

    /// <summary>Drops one reference; at zero the packet is unparked and processing resumes.</summary>
    /// <param name="parked">The parked object.</param>
    /// <returns>False when the object is not parked.</returns>
    public bool Unpark(object parked) => _lot.Unpark(parked, force: false);

    /// <summary>Removes the packet without resuming it (no response is sent).</summary>
    /// <param name="parked">The parked object.</param>
    /// <returns>False when the object is not parked.</returns>
    public bool Drop(object parked) => _lot.Drop(parked);
}
