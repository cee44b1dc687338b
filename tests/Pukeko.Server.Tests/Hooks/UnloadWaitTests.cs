using Pukeko.Hooks;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>Unloading a library waits (bounded) until none of its callouts is running.</summary>
public sealed class UnloadWaitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static Task<NextStep> CallInBackground(HooksManager hooks) => Task.Run(() =>
    {
        var handle = hooks.CreateHandle();
        return hooks.Call(HookPoints.Pkt6Receive, handle);
    });

    [Fact]
    public async Task Unloading_waits_until_the_running_callout_has_returned()
    {
        using var hooks = new HooksManager();
        var library = new BlockingCalloutLibrary();
        hooks.LoadInProcess(library, "blocking");
        var call = CallInBackground(hooks);
        Assert.True(await library.Entered.WaitAsync(Patience));

        var unload = Task.Run(hooks.UnloadAll);
        await Task.Delay(300);
        Assert.False(unload.IsCompleted, "unload finished while the callout was still running");
        Assert.DoesNotContain("unload", library.Events);

        library.Proceed.Release();
        await unload.WaitAsync(Patience);
        Assert.Equal(NextStep.Continue, await call.WaitAsync(Patience));
        Assert.Equal(["callout entered", "callout returned", "unload"], library.Events);
        Assert.Empty(hooks.LibraryNames);
        Assert.False(hooks.HasCallouts(HookPoints.Pkt6Receive));
    }

    [Fact]
    public async Task A_callout_that_does_not_return_delays_the_unload_only_up_to_the_bound()
    {
        using var hooks = new HooksManager { UnloadWait = TimeSpan.FromMilliseconds(200) };
        var library = new BlockingCalloutLibrary();
        hooks.LoadInProcess(library, "stuck");
        var call = CallInBackground(hooks);
        Assert.True(await library.Entered.WaitAsync(Patience));

        await Task.Run(hooks.UnloadAll).WaitAsync(Patience);

        Assert.Equal(["callout entered", "unload"], library.Events);
        library.Proceed.Release();
        Assert.Equal(NextStep.Continue, await call.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_disposed_swap_puts_the_running_libraries_back_without_loading_them_again()
    {
        using var hooks = new HooksManager();
        var library = new BlockingCalloutLibrary();
        hooks.LoadInProcess(library, "running");
        library.Proceed.Release(10);

        using (var swap = hooks.PrepareSwap([], multiThreading: true))
        {
            Assert.True(hooks.HasCallouts(HookPoints.Pkt6Receive));
            swap.Publish();
            Assert.False(hooks.HasCallouts(HookPoints.Pkt6Receive));
        }

        Assert.Equal(["running"], hooks.LibraryNames);
        Assert.Equal(NextStep.Continue, await CallInBackground(hooks).WaitAsync(Patience));
        Assert.Equal(["callout entered", "callout returned"], library.Events);
        Assert.Equal(1, library.Loads);
    }

    [Fact]
    public async Task A_committed_swap_unloads_the_replaced_libraries_after_their_running_callouts()
    {
        using var hooks = new HooksManager();
        var library = new BlockingCalloutLibrary();
        hooks.LoadInProcess(library, "replaced");
        var call = CallInBackground(hooks);
        Assert.True(await library.Entered.WaitAsync(Patience));

        var swap = hooks.PrepareSwap([], multiThreading: true);
        swap.Publish();
        var commit = Task.Run(swap.Commit);
        await Task.Delay(300);
        Assert.False(commit.IsCompleted, "the replaced library was unloaded while its callout ran");

        library.Proceed.Release();
        await commit.WaitAsync(Patience);
        await call.WaitAsync(Patience);
        Assert.Equal(["callout entered", "callout returned", "unload"], library.Events);
        Assert.Empty(hooks.LibraryNames);
    }
}
