using System.Text.Json;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.BuiltIn.FlexId;

/// <summary>
/// The <c>parameters</c> of Kea's flexible identifier library (<c>libdhcp_flex_id.so</c>), parsed and checked as
/// Kea's <c>load</c> does: every key optional, wrong JSON types and unparsable expressions refused, other keys
/// (the DHCPv4-only <c>cid-as-rfc4361-duid</c> among them) ignored.
/// </summary>
internal sealed record FlexIdOptions
{
    /// <summary><c>identifier-expression</c> as written; empty when absent (the identifier is then never computed).</summary>
    public string ExpressionText { get; init; } = "";

    /// <summary>The parsed <c>identifier-expression</c>; null when absent or empty.</summary>
    public ExpressionNode? Expression { get; init; }

    /// <summary><c>replace-client-id</c>: the query is processed as if its DUID were two zero bytes and the identifier.</summary>
    public bool ReplaceClientId { get; init; }

    /// <summary><c>ignore-iaid</c>: a lone IA_NA and a lone IA_PD are processed (and their leases stored) with IAID 0.</summary>
    public bool IgnoreIaid { get; init; }

    /// <summary>
    /// Reads <paramref name="parameters"/> (null when the entry has none). Problems go to <paramref name="error"/>
    /// with the JSON path of the value (<paramref name="path"/> is the path of <c>parameters</c>); null is returned
    /// when there was any.
    /// </summary>
    public static FlexIdOptions? Parse(JsonElement? parameters, string path, Action<string, string> error, Pukeko.Protocol.Options.Definitions.OptionDefinitionSet? definitions = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var options = new FlexIdOptions();
        if (parameters is not { } map || map.ValueKind == JsonValueKind.Null)
        {
            return options;
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            error(path, "the flexible identifier library's parameters must be a map");
            return null;
        }

        var ok = true;
        if (map.TryGetProperty("identifier-expression", out var expression))
        {
            if (expression.ValueKind != JsonValueKind.String)
            {
                error($"{path}/identifier-expression", $"the identifier-expression is {JsonTypeName(expression)}, but expected JSON string");
                ok = false;
            }
            else if (expression.GetString() is { Length: > 0 } text)
            {
                try
                {
                    options = options with { ExpressionText = text, Expression = ExpressionParser.ParseString(text, optionCodeByName: null, definitions) };
                }
                catch (ExpressionSyntaxException ex)
                {
                    error($"{path}/identifier-expression", $"the identifier-expression is [{text}], but fails to parse with error: {ex.Describe(text)}");
                    ok = false;
                }
            }
        }

        bool Flag(string key)
        {
            if (!map.TryGetProperty(key, out var value))
            {
                return false;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            error($"{path}/{key}", $"the {key} is {JsonTypeName(value)} but expected boolean value");
            ok = false;
            return false;
        }

        options = options with { ReplaceClientId = Flag("replace-client-id"), IgnoreIaid = Flag("ignore-iaid") };
        return ok ? options : null;
    }

    /// <summary>Kea's names of JSON types, for its error messages.</summary>
    internal static string JsonTypeName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "map",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "real",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
