namespace Pukeko.Server.Configuration;

/// <summary><c>ddns-replace-client-name</c>: when the server uses a generated name instead of the client's.</summary>
internal enum DdnsReplaceClientName
{
    /// <summary>Use the client's name; generate one only when it sent an empty name.</summary>
    Never,

    /// <summary>Always generate, even when the client sent no Client FQDN option.</summary>
    Always,

    /// <summary>Generate when the client sent an option; nothing when it sent none.</summary>
    WhenPresent,

    /// <summary>Use the client's name; generate one when it sent no option or an empty name.</summary>
    WhenNotPresent,
}
