using System.Reflection;
using System.Runtime.CompilerServices;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// The parser fills a reused query's Client-ID and Server-ID again, DUIDs included (Dhcp6Parser.TryParse with reuse), so
/// nothing in the server may keep a query's DUID past its processing: it copies the bytes instead. This lists every
/// field that can hold a DUID; a new one fails here until someone has checked it never holds a query's.
/// </summary>
public sealed class ParsedDuidHoldersTests
{
    // Each of these holds the server's own DUID or one the server made, never a parsed query's.
    private static readonly string[] Checked =
    [
        "Pukeko.Server.Pipeline.ServerRuntime.<ServerDuid>k__BackingField",
        "Pukeko.Server.Pipeline.ServerRuntime.<ServerIdOption>k__BackingField",
        "Pukeko.Server.Hosting.PipelineWarmup.WarmupClient",
    ];

    [Fact]
    public void Only_checked_fields_can_hold_a_duid()
    {
        var holders = new List<string>();
        foreach (var type in typeof(Pukeko.Server.Hosting.Dhcp6Server).Assembly.GetTypes())
        {
            // An async method's locals live only while it runs.
            if (typeof(IAsyncStateMachine).IsAssignableFrom(type))
            {
                continue;
            }

            const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            foreach (var field in type.GetFields(all))
            {
                if (CanHoldDuid(field.FieldType))
                {
                    holders.Add($"{type.FullName}.{field.Name}");
                }
            }
        }

        Assert.Equal(Checked.Order(StringComparer.Ordinal), holders.Order(StringComparer.Ordinal));
    }

    private static bool CanHoldDuid(Type type) =>
        type == typeof(Duid) || type == typeof(DuidOption)
        || (type.IsArray && CanHoldDuid(type.GetElementType()!))
        || (type.IsGenericType && type.GetGenericArguments().Any(CanHoldDuid));
}
