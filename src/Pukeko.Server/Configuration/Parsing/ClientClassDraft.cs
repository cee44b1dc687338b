namespace Pukeko.Server.Configuration.Parsing;

/// <summary>One <c>client-classes[]</c> entry as read.</summary>
internal sealed class ClientClassDraft(string path)
{
    public string Path { get; } = path;

    public string? Name { get; set; }

    public string? Test { get; set; }

    public string? TemplateTest { get; set; }

    public bool OnlyInAdditionalList { get; set; }

    public IReadOnlyList<OptionDescriptor> Options { get; set; } = [];

    public TripletDraft Valid { get; } = new("valid-lifetime");

    public TripletDraft Preferred { get; } = new("preferred-lifetime");
}
