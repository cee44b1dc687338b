namespace Pukeko.Server.Configuration;

/// <summary>One basic-authentication client, with its user and password already read from any files.</summary>
internal sealed record ControlClientCredential(string User, string Password);
