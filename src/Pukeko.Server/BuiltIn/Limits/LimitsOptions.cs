using System.Text.Json;

namespace Pukeko.Server.BuiltIn.Limits;

/// <summary>
/// The <c>parameters</c> of Kea's limits library (<c>libdhcp_limits.so</c>): it takes none, and Kea refuses to load it
/// when the entry has any. Its limits are in the <c>user-context</c> of classes and subnets (<see cref="LimitsConfiguration"/>).
/// </summary>
internal sealed record LimitsOptions
{
    public static LimitsOptions? Parse(JsonElement? parameters, string path, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (parameters is { ValueKind: not JsonValueKind.Null } given)
        {
            error(path, $"expected no parameters for libdhcp_limits.so, found {given.GetRawText()}");
            return null;
        }

        return new LimitsOptions();
    }
}
