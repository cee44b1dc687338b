using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>An <c>authentication</c> map as read; clients are resolved once the directory is known.</summary>
internal sealed class AuthenticationDraft
{
    public bool HasType { get; set; }

    public bool Valid { get; set; } = true;

    public string Realm { get; set; } = ControlAuthentication.DefaultRealm;

    public string? Directory { get; set; }

    public JsonElement? Clients { get; set; }

    public string ClientsPath { get; set; } = "";
}
