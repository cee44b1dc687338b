using System.Text;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.Classification;

/// <summary>
/// Kea's classification passes (digest §3.2): on arrival (vendor classes, then every <c>test</c> not depending on
/// KNOWN/UNKNOWN), after the host lookup (reserved classes, with the arrival pass evaluated again when they come in
/// time for it, then KNOWN or UNKNOWN and the tests that depend on them),
/// and the additional classes a pool or subnet asks for before options are added. Classes are evaluated in
/// configuration order, so a test can use member() of any class above it.
/// </summary>
internal sealed class PacketClassifier(IReadOnlyList<ClientClassDefinition> classes)
{
    public const string Drop = "DROP";
    public const string Known = "KNOWN";
    public const string Unknown = "UNKNOWN";
    public const string VendorClassPrefix = "VENDOR_CLASS_";

    private readonly Dictionary<string, ClientClassDefinition> _byName = classes.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyList<ClientClassDefinition> Classes { get; } = classes;

    public ClientClassDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Step 7: vendor classes and tests that do not need the host lookup.</summary>
    public void ClassifyOnArrival(Dhcp6Packet packet, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(packet);
        foreach (var option in packet.Message.Options)
        {
            // Kea names the class after the first vendor-class-data tuple of each Vendor Class option.
            if (option is VendorClassOption { Entries.Count: > 0 } vendorClass)
            {
                packet.Classes.Add(VendorClassPrefix + Encoding.Latin1.GetString(vendorClass.Entries[0]));
            }
        }

        EvaluatePass(packet, afterHostLookup: false, logger);
    }

    /// <summary>Step 15: KNOWN or UNKNOWN, then the tests depending on them.</summary>
    public void ClassifyAfterHostLookup(Dhcp6Packet packet, bool known, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(packet);
        packet.Classes.Add(known ? Known : Unknown);
        EvaluatePass(packet, afterHostLookup: true, logger);
    }

    /// <summary>
    /// A reservation's classes join the packet: the classes evaluated on arrival are dropped and evaluated again with
    /// them, since a test may depend on a reserved class (e.g. <c>not member('x')</c> must stop matching once the
    /// reservation gives <c>x</c>). Classes a hook or the vendor class option gave stay: they cannot be evaluated again.
    /// </summary>
    public void ReclassifyWithReservedClasses(Dhcp6Packet packet, IReadOnlyList<string> reservedClasses, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(reservedClasses);
        foreach (var definition in Classes)
        {
            if (definition.Test is not null || definition.TemplateTest is not null)
            {
                packet.Classes.Remove(definition.Name);
            }
        }

        AddReservedClasses(packet, reservedClasses);
        EvaluatePass(packet, afterHostLookup: false, logger);
    }

    /// <summary>A reservation's classes join the packet without any test being evaluated again.</summary>
    public static void AddReservedClasses(Dhcp6Packet packet, IReadOnlyList<string> reservedClasses)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(reservedClasses);
        foreach (var name in reservedClasses)
        {
            packet.Classes.Add(name);
        }
    }

    /// <summary>
    /// Step 12 (<c>early-global-reservations-lookup</c>), for a client with a global reservation: its classes (with the
    /// classes evaluated on arrival evaluated again), then KNOWN and the tests depending on it. Kea does this before
    /// subnet selection so that the classes can choose the subnet and pool.
    /// </summary>
    public void ClassifyWithEarlyGlobalHost(Dhcp6Packet packet, IReadOnlyList<string> reservedClasses, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(reservedClasses);
        if (reservedClasses.Count > 0)
        {
            ReclassifyWithReservedClasses(packet, reservedClasses, logger);
        }

        ClassifyAfterHostLookup(packet, known: true, logger);
    }

    /// <summary>
    /// <c>evaluate-additional-classes</c> of the pools and subnet used: each named class is added when its test
    /// passes, or unconditionally when it has none (Kea).
    /// </summary>
    public void EvaluateAdditional(Dhcp6Packet packet, IEnumerable<string> names, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (packet.Classes.Contains(name))
            {
                continue;
            }

            if (!_byName.TryGetValue(name, out var definition))
            {
                logger.LogDebug(new EventId(0, "DHCP6_ADDITIONAL_CLASS_UNDEFINED"), "additional class {Class} has no definition", name);
                continue;
            }

            if (definition.Test is null || Evaluate(packet, definition, definition.Test, logger))
            {
                packet.Classes.Add(name);
            }
        }
    }

    private void EvaluatePass(Dhcp6Packet packet, bool afterHostLookup, ILogger logger)
    {
        foreach (var definition in Classes)
        {
            if (definition.OnlyInAdditionalList || definition.DependsOnKnown != afterHostLookup)
            {
                continue;
            }

            if (definition.Test is { } test)
            {
                if (Evaluate(packet, definition, test, logger))
                {
                    packet.Classes.Add(definition.Name);
                }
            }
            else if (definition.TemplateTest is { } template)
            {
                Spawn(packet, definition, template, logger);
            }
        }
    }

    private static bool Evaluate(Dhcp6Packet packet, ClientClassDefinition definition, ClassExpression test, ILogger logger)
    {
        bool matched;
        try
        {
            matched = test.Matches(packet);
        }
        catch (ExpressionEvaluationException ex)
        {
            logger.LogError(new EventId(0, "EVAL_RESULT"), "{Label}: expression for client class {Class} failed to evaluate: {Reason}", packet.Label, definition.Name, ex.Message);
            return false;
        }

        logger.LogDebug(new EventId(0, "EVAL_RESULT"), "{Label}: expression for client class {Class} evaluated to {Result}", packet.Label, definition.Name, matched);
        return matched;
    }

    private static void Spawn(Dhcp6Packet packet, ClientClassDefinition definition, ClassExpression template, ILogger logger)
    {
        byte[] value;
        try
        {
            value = template.Evaluate(packet);
        }
        catch (ExpressionEvaluationException ex)
        {
            logger.LogError(new EventId(0, "EVAL_RESULT"), "{Label}: template expression for client class {Class} failed to evaluate: {Reason}", packet.Label, definition.Name, ex.Message);
            return;
        }

        if (value.Length == 0)
        {
            return;
        }

        packet.Classes.Add($"SPAWN_{definition.Name}_{Encoding.Latin1.GetString(value)}");
        packet.Classes.Add(definition.Name);
    }
}
