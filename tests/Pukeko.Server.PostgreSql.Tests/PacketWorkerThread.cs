using System.Runtime.ExceptionServices;
using Pukeko.Server.Concurrency;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>Runs test code on a thread marked as a packet worker's (<see cref="BlockingIo"/>), as the server's workers are.</summary>
internal static class PacketWorkerThread
{
    public static void Run(Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            BlockingIo.AllowOnThisThread();
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the worker thread did not finish");
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>The result of an operation that must have completed on the calling thread.</summary>
    public static T Completed<T>(ValueTask<T> pending)
    {
        Assert.True(pending.IsCompleted, "the operation left the packet worker's thread");
        return pending.Result;
    }
}
