using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.Hosting;

/// <summary>
/// Runtime changes to the configuration by command (host, subnet and class commands): the running configuration's
/// document is changed, validated as a whole and swapped in like a <c>config-set</c>, so the change is in
/// <c>config-get</c> and <c>config-write</c> and applies to new packets. A change that does not validate is refused
/// and the running configuration keeps serving.
/// </summary>
internal sealed partial class Dhcp6Server
{
    // Serialises every replacement of the configuration (config-set, config-reload, SIGHUP, command changes), so a
    // change computed from the running configuration is never applied over a newer one.
    private readonly SemaphoreSlim _configChange = new(1, 1);

    /// <summary>The logger of the control channel, for the command families.</summary>
    internal ILogger CommandLog => _commandLog;

    /// <summary>True when <c>hooks-libraries</c> of the running configuration names Kea's library <paramref name="fileName"/> (any directory).</summary>
    public bool HasKeaLibrary(string fileName) =>
        Config?.HooksLibraries.Any(l => KeaNativeLibraries.Find(l.Library)?.FileName == fileName) == true;

    /// <summary>
    /// Applies <paramref name="change"/> to a copy of the running configuration's document (<c>{"Dhcp6": {...}}</c>),
    /// validates the result and swaps it in. <paramref name="change"/> may throw to refuse the change (the exception
    /// propagates; nothing is applied). <paramref name="refuse"/> may refuse the validated result with a reason
    /// (<see cref="ConfigApplyOutcome.Refused"/>). Returns why a change was not applied.
    /// </summary>
    public async Task<ConfigApplyOutcome> ChangeConfigAsync(Action<DhcpConfig, JsonObject> change, string source, CancellationToken cancellationToken, Func<DhcpConfig, string?>? refuse = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _configChange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var running = Config ?? throw new InvalidOperationException("no configuration is running");
            var document = JsonNode.Parse(running.Source.GetRawText(), documentOptions: ConfigLoader.JsonOptions) as JsonObject
                ?? throw new InvalidOperationException("the running configuration is not a map");
            change(running, document);
            var result = TestText(document.ToJsonString());
            if (!result.Success)
            {
                var reason = string.Join("; ", result.Errors);
                _log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using {Source}: {Reason}", source, reason);
                return new ConfigApplyOutcome(false, reason);
            }

            if (refuse?.Invoke(result.Config!) is { } refusal)
            {
                return new ConfigApplyOutcome(false, refusal) { Refused = true };
            }

            return await ApplyConfigAsync(result.Config!, source, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _configChange.Release();
        }
    }

    private async Task<T> ExclusiveConfigChangeAsync<T>(Func<Task<T>> apply, CancellationToken cancellationToken)
    {
        await _configChange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await apply().ConfigureAwait(false);
        }
        finally
        {
            _configChange.Release();
        }
    }
}
