namespace Pukeko.Server.Pipeline;

/// <summary>How much a reused context keeps between queries.</summary>
internal static class RentalLimits
{
    /// <summary>
    /// A list that grew past this, or more free objects than this (an unusual query), is let go at the end instead
    /// of being kept by the worker for every later query.
    /// </summary>
    internal const int MaxKept = 64;
}
