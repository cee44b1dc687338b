using System.Text.Json;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace OptionInjector;

/// <summary>
/// Adds options to every reply on <c>pkt6_send</c>:
/// <c>"parameters": {"options": [{"code": 23, "data": "20010db8...53"}], "replace": false}</c>.
/// An option already in the reply is left alone unless <c>replace</c> is true.
/// </summary>
public sealed class OptionInjectorLibrary : HookLibrary
{
    private readonly List<(ushort Code, byte[] Data)> _options = [];
    private bool _replace;

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _replace = handle.GetParameter("replace") is { ValueKind: JsonValueKind.True };
        if (handle.GetParameter("options") is not { ValueKind: JsonValueKind.Array } list)
        {
            return 1;
        }

        foreach (var item in list.EnumerateArray())
        {
            var code = item.GetProperty("code").GetUInt16();
            var data = Convert.FromHexString(item.GetProperty("data").GetString()!.Replace(":", "", StringComparison.Ordinal));
            _options.Add((code, data));
        }

        return 0;
    }

    public int Pkt6Send(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var options = handle.GetArgument<Dhcp6Packet>("response6").Message.Options;
        foreach (var (code, data) in _options)
        {
            if (options.Contains(code))
            {
                if (!_replace)
                {
                    continue;
                }

                options.RemoveAll(code);
            }

            options.Add(new RawOption(code, (byte[])data.Clone()));
        }

        return 0;
    }
}
