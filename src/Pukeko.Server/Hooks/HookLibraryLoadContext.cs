using System.Reflection;
using System.Runtime.Loader;

namespace Pukeko.Server.Hooks;

/// <summary>
/// One collectible load context per hook library. The hooks API's assemblies (Pukeko.Hooks,
/// Pukeko.Protocol and the logging abstractions) resolve to the server's loaded copies, so a
/// library's <c>Lease6</c> is the type the server passes; anything else the library ships beside
/// it (its private dependencies) loads here and goes away with it. The engine (Pukeko.Server) is
/// not shared: the loader refuses a library that references it.
/// </summary>
internal sealed class HookLibraryLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> Shared = new(StringComparer.OrdinalIgnoreCase)
    {
        "Pukeko.Hooks",
        "Pukeko.Protocol",
        "Microsoft.Extensions.Logging.Abstractions",
    };

    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string _directory;

    public HookLibraryLoadContext(string libraryPath)
        : base($"hook:{Path.GetFileName(libraryPath)}", isCollectible: true)
    {
        _directory = Path.GetDirectoryName(libraryPath) ?? ".";
        try
        {
            _resolver = new AssemblyDependencyResolver(libraryPath);
        }
        catch (InvalidOperationException)
        {
            // No usable .deps.json: fall back to files beside the library.
            _resolver = null;
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && Shared.Contains(name))
        {
            var host = GetLoadContext(typeof(HookLibraryLoadContext).Assembly) ?? Default;
            foreach (var loaded in host.Assemblies)
            {
                if (string.Equals(loaded.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return loaded;
                }
            }

            return host.LoadFromAssemblyName(new AssemblyName(name));
        }

        if (_resolver?.ResolveAssemblyToPath(assemblyName) is { } resolved)
        {
            return LoadFromAssemblyPath(resolved);
        }

        var beside = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(beside) ? LoadFromAssemblyPath(beside) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        if (_resolver?.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path)
        {
            return LoadUnmanagedDllFromPath(path);
        }

        return IntPtr.Zero;
    }
}
