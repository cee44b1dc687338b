namespace Pukeko.Protocol.Messages;

/// <summary>Which relay levels a relay-option lookup visits, and in what order (Kea's RELAY_* modes).</summary>
public enum RelaySearch
{
    /// <summary>Only the relay closest to the client (innermost).</summary>
    ClosestToClient,

    /// <summary>Only the relay closest to the server (outermost).</summary>
    ClosestToServer,

    /// <summary>Every level, innermost first; the first level that has the option wins.</summary>
    FromClient,

    /// <summary>Every level, outermost first; the first level that has the option wins.</summary>
    FromServer,
}
