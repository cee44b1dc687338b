namespace Pukeko.Hooks.Configuration;

/// <summary>
/// Whether the server answers clients, as Kea's <c>NetworkState</c> (what <c>dhcp-disable</c> and <c>dhcp-enable</c>
/// change). Each origin (the operator is <c>"user"</c>; a library should use its own name) disables on its own, and
/// the service runs only while no origin holds it disabled.
/// </summary>
public interface INetworkState
{
    /// <summary>True while no origin holds the service disabled.</summary>
    bool Enabled { get; }

    /// <summary>The origins holding the service disabled now.</summary>
    IReadOnlyList<string> DisabledBy { get; }

    /// <summary>Stops answering clients on behalf of <paramref name="origin"/>, until <see cref="Enable"/> or, when given, <paramref name="maxPeriod"/> has passed.</summary>
    /// <param name="origin">Who disables.</param>
    /// <param name="maxPeriod">When to re-enable automatically; null for never.</param>
    void Disable(string origin, TimeSpan? maxPeriod);

    /// <summary>Withdraws <paramref name="origin"/>'s disabling; the service resumes when no other origin holds it.</summary>
    /// <param name="origin">Who enables.</param>
    void Enable(string origin);
}
