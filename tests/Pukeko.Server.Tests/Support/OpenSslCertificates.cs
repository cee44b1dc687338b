using System.Diagnostics;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// Makes real certificates with the <c>openssl</c> command in a directory: CAs and leaves signed by one of them,
/// each as <c>name.pem</c> and an unencrypted <c>name.key</c>.
/// </summary>
internal sealed class OpenSslCertificates(string directory)
{
    public void MakeCa(string name) =>
        Run($"req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={name} -keyout {name}.key -out {name}.pem");

    /// <param name="extensions">The leaf's X.509v3 extension lines (an <c>-extfile</c>).</param>
    public void MakeLeaf(string name, string ca, string extensions)
    {
        File.WriteAllText(Path.Combine(directory, name + ".ext"), extensions + "\n");
        Run($"req -newkey rsa:2048 -nodes -subj /CN={name} -keyout {name}.key -out {name}.csr");
        Run($"x509 -req -in {name}.csr -CA {ca}.pem -CAkey {ca}.key -CAcreateserial -days 2 -extfile {name}.ext -out {name}.pem");
    }

    private void Run(string arguments)
    {
        var start = new ProcessStartInfo("openssl", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"openssl {arguments} failed: {error.Result}");
    }
}
