namespace Pukeko.Server.Configuration;

/// <summary>One <c>http-headers</c> entry added to every HTTP control response.</summary>
internal sealed record HttpHeaderConfig(string Name, string Value);
