using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>
/// Compiles hook library sources into real assemblies on disk, so loader tests exercise the
/// same path as a deployed library (file, load context, references to Pukeko's assemblies). Like a real library
/// they see only the hooks API: Pukeko.Hooks and Pukeko.Protocol.
/// </summary>
internal static class LibraryCompiler
{
    private static readonly Lazy<List<MetadataReference>> Platform = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll" or "Microsoft.Extensions.Logging.Abstractions.dll")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(Pukeko.Hooks.CalloutHandle).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Pukeko.Protocol.Messages.Dhcp6Packet).Assembly.Location),
    ]);

    /// <summary>Compiles <paramref name="source"/> to <paramref name="directory"/>/<paramref name="name"/>.dll; returns the path.</summary>
    public static string Compile(string directory, string name, string source, IEnumerable<MetadataReference>? extra = null, bool withoutHooksApi = false)
    {
        var references = Platform.Value.Where(r => !withoutHooksApi || !r.Display!.EndsWith("Pukeko.Hooks.dll", StringComparison.Ordinal)).Concat(extra ?? []);
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText("global using System; global using System.Threading.Tasks;" + (withoutHooksApi ? "" : " global using Pukeko.Hooks;") + "\n" + source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".dll");
        var result = compilation.Emit(path);
        if (!result.Success)
        {
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return path;
    }
}
