using System.Text.Json;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// What a <see cref="HookTestServer"/> runs: a Kea <c>Dhcp6</c> configuration and the hook libraries under test.
/// Create one with <see cref="HookTestServer.CreateBuilder"/>.
/// </summary>
public sealed class HookTestServerBuilder
{
    private readonly List<(HookLibrary Library, string? Parameters)> _libraries = [];

    internal HookTestServerBuilder()
    {
    }

    internal string Configuration { get; private set; } = HookTestServer.DefaultConfiguration;

    internal IReadOnlyList<(HookLibrary Library, string? Parameters)> Libraries => _libraries;

    internal TimeSpan ReplyTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The configuration, as a Kea configuration file (<c>{"Dhcp6": {...}}</c>) or just the <c>Dhcp6</c> map; the
    /// same parser and checks as the daemon's. Without it, <see cref="HookTestServer.DefaultConfiguration"/>. The
    /// lease database is always an empty in-memory one, whatever <c>lease-database</c> says; control sockets and
    /// DDNS are not started. Libraries listed in <c>hooks-libraries</c> are loaded from their files, before those
    /// added with <see cref="AddLibrary(HookLibrary, string?)"/>.
    /// </summary>
    public HookTestServerBuilder UseConfiguration(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        Configuration = configuration;
        return this;
    }

    /// <summary>
    /// Loads <paramref name="library"/> as the next entry of <c>hooks-libraries</c>, with <paramref name="parameters"/>
    /// (JSON text, the entry's <c>parameters</c> map) as its <see cref="LibraryHandle.Parameters"/>: its convention
    /// callouts are registered and its <see cref="HookLibrary.Load"/> runs, exactly as when the daemon loads its DLL.
    /// </summary>
    public HookTestServerBuilder AddLibrary(HookLibrary library, string? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (parameters is not null)
        {
            try
            {
                using var _ = JsonDocument.Parse(parameters);
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"the parameters of {library.GetType().Name} are not JSON: {ex.Message}", nameof(parameters), ex);
            }
        }

        _libraries.Add((library, parameters));
        return this;
    }

    /// <summary>How long <see cref="HookTestServer.ExchangeAsync"/> waits for a reply (a packet parked and never unparked waits forever); 30 s by default.</summary>
    public HookTestServerBuilder UseReplyTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ReplyTimeout = timeout;
        return this;
    }

    /// <summary>Starts the server: parses the configuration, loads the libraries, calls <c>dhcp6_srv_configured</c>.</summary>
    /// <exception cref="ArgumentException">The configuration is not valid (each error with its JSON path).</exception>
    /// <exception cref="InvalidOperationException">A library could not be loaded (its <c>Load</c> failed or threw, it is not multi-threading compatible, ...) or <c>dhcp6_srv_configured</c> refused the configuration.</exception>
    public Task<HookTestServer> StartAsync() => HookTestServer.StartAsync(this);
}
