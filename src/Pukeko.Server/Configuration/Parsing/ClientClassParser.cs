using System.Text.Json;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>client-classes</c>: names, <c>test</c>/<c>template-test</c> expressions (syntax errors reported with
/// the position), options and lifetimes. A class may only use member() of built-in classes or classes defined
/// before it, as Kea requires; classes depending on KNOWN/UNKNOWN are marked for the late evaluation pass.
/// </summary>
internal static class ClientClassParser
{
    /// <summary>Classes the server assigns itself; member() may name them without a definition.</summary>
    private static readonly string[] BuiltInNames = ["ALL", "KNOWN", "UNKNOWN", "DROP", "BOOTP"];

    private static readonly string[] BuiltInPrefixes = ["VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_", "SPAWN_"];

    private static readonly KeyTable<ClientClassDraft> Keys = CreateKeys();

    public static bool IsBuiltIn(string name) =>
        BuiltInNames.Contains(name, StringComparer.Ordinal) || BuiltInPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    public static List<ClientClassDefinition> ParseList(JsonElement list, string path, ParseContext context)
    {
        var result = new List<ClientClassDefinition>();
        var byName = new Dictionary<string, ClientClassDefinition>(StringComparer.Ordinal);
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new ClientClassDraft(itemPath);
            var errorsBefore = context.Errors.Count;
            if (!Keys.Walk(item, itemPath, draft, context) || context.Errors.Count != errorsBefore)
            {
                continue;
            }

            if (draft.Name is null)
            {
                context.Error(itemPath, "missing parameter 'name'");
                continue;
            }

            if (byName.ContainsKey(draft.Name))
            {
                context.Error(ParseContext.Child(itemPath, "name"), $"Client Class: class '{draft.Name}' is already defined");
                continue;
            }

            if (Build(draft, byName, context) is { } definition)
            {
                byName[definition.Name] = definition;
                result.Add(definition);
            }
        }

        return result;
    }

    /// <summary>A list of class names (<c>client-classes</c> on subnets, pools, option data, reservations).</summary>
    public static IReadOnlyList<string> ParseNameList(JsonElement value, string path, ParseContext context)
    {
        var names = new List<string>();
        foreach (var (item, itemPath) in context.Items(value, path))
        {
            if (context.TryString(item, itemPath, out var name))
            {
                if (name.Length == 0)
                {
                    context.Error(itemPath, "client class name must not be empty");
                }
                else if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// The single-name guard <c>client-class</c>: the only spelling Kea 2.x knows, deprecated by Kea 3.0 in favour of
    /// <c>client-classes</c>. Applied either way; only a file written for Kea 3.x hears of the deprecation, as Kea 3.x
    /// warns (DHCPSRV_CLIENT_CLASS_DEPRECATED).
    /// </summary>
    public static IReadOnlyList<string> ParseSingleName(JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var name))
        {
            return [];
        }

        if (context.WrittenForKea3)
        {
            context.Warn(path, "'client-class' is deprecated since Kea 3.0; applied as 'client-classes', the spelling to use", "DHCPSRV_CLIENT_CLASS_DEPRECATED");
        }

        return name.Length == 0 ? [] : [name];
    }

    /// <summary>
    /// A subnet, shared network, pool or pd-pool naming its guard both the old way (<c>client-class</c>) and the new
    /// (<c>client-classes</c>), or its additional classes both ways (<c>require-client-classes</c> and
    /// <c>evaluate-additional-classes</c>): an error, as Kea 3.x refuses it, at the old key's path.
    /// </summary>
    public static void RejectBothSpellings(JsonElement item, string path, ParseContext context)
    {
        RejectBoth(item, path, context, "client-class", "client-classes");
        RejectBoth(item, path, context, "require-client-classes", "evaluate-additional-classes");
    }

    private static void RejectBoth(JsonElement item, string path, ParseContext context, string old, string current)
    {
        if (item.TryGetProperty(old, out _) && item.TryGetProperty(current, out _))
        {
            context.Error(ParseContext.Child(path, old), $"cannot specify both '{old}' and '{current}': use only '{current}'");
        }
    }

    /// <summary>
    /// <c>require-client-classes</c>, Kea 2.x's name of <c>evaluate-additional-classes</c>: applied either way; a file
    /// written for Kea 3.x hears of the deprecation, as Kea 3.x warns (DHCPSRV_REQUIRE_CLIENT_CLASSES_DEPRECATED).
    /// </summary>
    public static IReadOnlyList<string> ParseRequiredNameList(JsonElement value, string path, ParseContext context)
    {
        if (context.WrittenForKea3)
        {
            context.Warn(path, "'require-client-classes' is deprecated since Kea 3.0; applied as 'evaluate-additional-classes', the name to use", "DHCPSRV_REQUIRE_CLIENT_CLASSES_DEPRECATED");
        }

        return ParseNameList(value, path, context);
    }

    private static ClientClassDefinition? Build(ClientClassDraft draft, Dictionary<string, ClientClassDefinition> earlier, ParseContext context)
    {
        if (draft.Test is not null && draft.TemplateTest is not null)
        {
            context.Error(draft.Path, $"Client Class: class '{draft.Name}' cannot have both 'test' and 'template-test'");
            return null;
        }

        var codeByName = OptionCodeResolver(context);
        ClassExpression? test = null;
        ClassExpression? template = null;
        try
        {
            if (draft.Test is { Length: > 0 } text)
            {
                test = ClassExpression.ParseTest(text, codeByName, context.Definitions);
            }

            if (draft.TemplateTest is { Length: > 0 } templateText)
            {
                template = ClassExpression.ParseTemplate(templateText, codeByName, context.Definitions);
            }
        }
        catch (ExpressionSyntaxException ex)
        {
            var key = draft.Test is { Length: > 0 } ? "test" : "template-test";
                        // Kea's wording: "expression: [option[1].hex == ] error: <string>:1.18: syntax error, unexpected end of file".
            var failed = draft.Test is { Length: > 0 } ? draft.Test : draft.TemplateTest ?? "";
            context.Error(ParseContext.Child(draft.Path, key), $"expression: [{failed}] error: {ex.Describe(failed)}");
            return null;
        }

        var dependsOnKnown = false;
        foreach (var member in (test ?? template)?.MemberOf ?? [])
        {
            if (member is "KNOWN" or "UNKNOWN")
            {
                dependsOnKnown = true;
            }
            else if (earlier.TryGetValue(member, out var dependency))
            {
                dependsOnKnown |= dependency.DependsOnKnown;
            }
            else if (!IsBuiltIn(member))
            {
                context.Error(ParseContext.Child(draft.Path, draft.Test is not null ? "test" : "template-test"),
                    $"class '{draft.Name}' depends on class '{member}', which is not defined before it");
                return null;
            }
        }

        return new ClientClassDefinition
        {
            Name = draft.Name!,
            Test = test,
            TemplateTest = template,
            OnlyInAdditionalList = draft.OnlyInAdditionalList,
            DependsOnKnown = dependsOnKnown,
            Options = draft.Options,
            ValidLifetime = draft.Valid.Resolve(context),
            PreferredLifetime = draft.Preferred.Resolve(context),
        };
    }

    /// <summary>option[name] in expressions: dhcp6 names, standard or from option-def.</summary>
    public static Func<string, ushort?> OptionCodeResolver(ParseContext context) =>
        name => context.Definitions.TryGetByName(Pukeko.Protocol.Options.Definitions.StandardOptionDefinitions.Dhcp6Space, name, out var d) ? d.Code : null;

    private static KeyTable<ClientClassDraft> CreateKeys()
    {
        var keys = new KeyTable<ClientClassDraft>("client-classes")
            .On("name", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    if (s.Length == 0)
                    {
                        c.Error(p, "client class name must not be empty");
                    }
                    else
                    {
                        d.Name = s;
                    }
                }
            })
            .On("test", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    d.Test = s;
                }
            })
            .On("template-test", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    d.TemplateTest = s;
                }
            })
            .On("only-in-additional-list", (d, v, p, c) =>
            {
                if (c.TryBool(v, p, out var b))
                {
                    d.OnlyInAdditionalList = b;
                }
            })
            .On("only-if-required", (d, v, p, c) =>
            {
                if (c.TryBool(v, p, out var b))
                {
                    d.OnlyInAdditionalList = b;
                }
            })
            // option-def in a class is kea-dhcp4's alone: Kea's DHCPv6 grammar refuses it as an unexpected keyword, so
            // it is an unknown parameter here too rather than a warning.
            .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c));
        TimingDraft.RegisterTriplet(keys, "valid-lifetime", d => d.Valid);
        TimingDraft.RegisterTriplet(keys, "preferred-lifetime", d => d.Preferred);
        return keys;
    }
}
