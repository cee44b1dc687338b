using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl;

/// <summary>Parses <c>pukeko-ctl [options] COMMAND [ARGUMENTS]</c>.</summary>
internal static class CtlCommandLine
{
    /// <summary>The live view, which is pukeko-ctl's own and not a server command.</summary>
    public const string TopCommand = "top";

    public const string Usage = """
        usage: pukeko-ctl [options] COMMAND [ARGUMENTS]
               pukeko-ctl [options] top [--interval SEC] [--once]
          COMMAND            a Kea command, e.g. status-get, lease6-get-all, config-get
          ARGUMENTS          the command's arguments as a JSON map; "-" reads them from standard input;
                             key=value pairs build a map (values that parse as JSON are taken as JSON)
          top                a live view like top(1): pool utilisation per subnet and pool, packet and lease
                             rates, drops, server state; refreshes in place, q or Ctrl-C quits
        options:
          -s, --socket PATH  UNIX control socket (default: $KEA_CONTROL_SOCKET_DIR/kea6-ctrl-socket or /run/kea/kea6-ctrl-socket)
          -u, --url URL      HTTP(S) control socket instead, e.g. http://127.0.0.1:8000/
          -a, --auth USER:PASSWORD   basic authentication for HTTP (or PUKEKO_CTL_AUTH)
          -k, --insecure     do not verify the HTTPS server certificate
          -t, --timeout SEC  give up after SEC seconds (default 15)
          -r, --raw          print the answer as received instead of pretty-printing it
          --interval SEC     top: poll every SEC seconds (default 2)
          --once             top: print one plain-text snapshot after two polls and exit
                             (what top does anyway when standard output is not a terminal)
          -h, --help         this text
        exit status: the answer's result (0 success, 1 error, 2 unsupported, 3 empty, 4 conflict), 64 usage, 69 unreachable
        """;

    public static CtlParseResult Parse(IReadOnlyList<string> args, Func<string, string?> environment, TextReader standardInput)
    {
        string? socket = null;
        Uri? url = null;
        string? credentials = environment("PUKEKO_CTL_AUTH");
        var insecure = false;
        var raw = false;
        var timeout = TimeSpan.FromSeconds(15);
        TimeSpan? interval = null;
        var once = false;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"option {arg} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (arg)
                {
                    case "-h" or "--help":
                        return new CtlParseResult(null, null, HelpRequested: true);
                    case "-s" or "--socket":
                        socket = Value();
                        break;
                    case "-u" or "--url":
                        var text = Value();
                        if (!Uri.TryCreate(text, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                        {
                            return new CtlParseResult(null, $"not an http(s) URL: {text}");
                        }

                        break;
                    case "-a" or "--auth":
                        credentials = Value();
                        break;
                    case "-k" or "--insecure":
                        insecure = true;
                        break;
                    case "-r" or "--raw":
                        raw = true;
                        break;
                    case "-t" or "--timeout":
                        var seconds = Value();
                        if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0)
                        {
                            return new CtlParseResult(null, $"bad timeout: {seconds}");
                        }

                        timeout = TimeSpan.FromSeconds(s);
                        break;
                    case "--interval":
                        var every = Value();
                        if (!double.TryParse(every, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) || !(e >= 0.1 && e <= 86400))
                        {
                            return new CtlParseResult(null, $"bad interval (0.1 to 86400 seconds): {every}");
                        }

                        interval = TimeSpan.FromSeconds(e);
                        break;
                    case "--once":
                        once = true;
                        break;
                    default:
                        if (arg.StartsWith('-') && arg != "-")
                        {
                            return new CtlParseResult(null, $"unknown option {arg}");
                        }

                        positional.Add(arg);
                        break;
                }
            }
            catch (FormatException ex)
            {
                return new CtlParseResult(null, ex.Message);
            }
        }

        if (positional.Count == 0)
        {
            return new CtlParseResult(null, "no command given");
        }

        if (socket is not null && url is not null)
        {
            return new CtlParseResult(null, "give either --socket or --url, not both");
        }

        if (credentials is not null && !credentials.Contains(':', StringComparison.Ordinal))
        {
            return new CtlParseResult(null, "--auth must be USER:PASSWORD");
        }

        var top = positional[0] == TopCommand;
        if (top && positional.Count > 1)
        {
            return new CtlParseResult(null, "top takes no arguments");
        }

        if (!top && (interval is not null || once))
        {
            return new CtlParseResult(null, "--interval and --once go with top");
        }

        JsonObject? arguments;
        try
        {
            arguments = ParseArguments(positional.Skip(1).ToList(), standardInput);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return new CtlParseResult(null, $"bad arguments: {ex.Message}");
        }

        if (url is null && socket is null)
        {
            var directory = environment("KEA_CONTROL_SOCKET_DIR");
            socket = string.IsNullOrEmpty(directory) ? CtlOptions.DefaultSocket : Path.Combine(directory, "kea6-ctrl-socket");
        }

        return new CtlParseResult(new CtlOptions
        {
            SocketPath = socket,
            Url = url,
            Credentials = credentials,
            Insecure = insecure,
            Raw = raw,
            Timeout = timeout,
            Command = positional[0],
            Arguments = arguments,
            Interval = interval ?? TimeSpan.FromSeconds(2),
            Once = once,
        }, null);
    }

    private static JsonObject? ParseArguments(List<string> items, TextReader standardInput)
    {
        if (items.Count == 0)
        {
            return null;
        }

        if (items.Count == 1 && (items[0] == "-" || items[0].TrimStart().StartsWith('{')))
        {
            var text = items[0] == "-" ? standardInput.ReadToEnd() : items[0];
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                ?? throw new FormatException("arguments must be a JSON map");
        }

        var map = new JsonObject();
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"expected key=value, got '{item}'");
            }

            var value = item[(eq + 1)..];
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                node = JsonValue.Create(value);
            }

            map[item[..eq]] = node;
        }

        return map;
    }
}
