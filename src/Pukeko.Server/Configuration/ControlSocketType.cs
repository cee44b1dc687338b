namespace Pukeko.Server.Configuration;

/// <summary>Kea's <c>socket-type</c> values for <c>control-sockets</c>.</summary>
internal enum ControlSocketType
{
    Unix,
    Http,
    Https,
}
