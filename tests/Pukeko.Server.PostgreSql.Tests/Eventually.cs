using System.Diagnostics;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>Polls a condition that a server reaches on its own (a reconnect, a shutdown request), for at most 30 s.</summary>
internal static class Eventually
{
    public static Task<bool> WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }
}
