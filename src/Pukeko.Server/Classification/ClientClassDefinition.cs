using Pukeko.Server.Configuration;

namespace Pukeko.Server.Classification;

/// <summary>One entry of <c>client-classes</c>, validated.</summary>
internal sealed class ClientClassDefinition
{
    public required string Name { get; init; }

    /// <summary><c>test</c>; null when the class has none (assigned by reservations, hooks or additional lists).</summary>
    public ClassExpression? Test { get; init; }

    /// <summary><c>template-test</c>: its value names a spawned class <c>SPAWN_&lt;name&gt;_&lt;value&gt;</c>.</summary>
    public ClassExpression? TemplateTest { get; init; }

    /// <summary><c>only-in-additional-list</c> (formerly <c>only-if-required</c>).</summary>
    public bool OnlyInAdditionalList { get; init; }

    /// <summary>
    /// True when the test needs KNOWN/UNKNOWN, directly or through member() of such a class: it is then evaluated
    /// after the host reservation lookup (digest §3.2 step 15) instead of on arrival.
    /// </summary>
    public bool DependsOnKnown { get; init; }

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    public Lifetime? ValidLifetime { get; init; }

    public Lifetime? PreferredLifetime { get; init; }

    public override string ToString() => Name;
}
