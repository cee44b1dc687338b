using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// <c>allocator</c>, <c>pd-allocator</c>, <c>cache-threshold</c>, <c>cache-max-age</c> and <c>store-extended-info</c>
/// at one level (global, shared network, subnet); each is inherited downwards when a level leaves it out.
/// </summary>
internal sealed class AllocationDraft
{
    /// <summary>Kea's default <c>cache-threshold</c>.</summary>
    public const double DefaultCacheThreshold = 0.25;

    public AllocatorKind? Allocator { get; set; }

    public AllocatorKind? PdAllocator { get; set; }

    public double? CacheThreshold { get; set; }

    public uint? CacheMaxAge { get; set; }

    public bool? StoreExtendedInfo { get; set; }

    /// <summary>This level's values, falling back to <paramref name="parent"/>'s for the ones it does not set.</summary>
    public AllocationDraft InheritFrom(AllocationDraft parent) => new()
    {
        Allocator = Allocator ?? parent.Allocator,
        PdAllocator = PdAllocator ?? parent.PdAllocator,
        CacheThreshold = CacheThreshold ?? parent.CacheThreshold,
        CacheMaxAge = CacheMaxAge ?? parent.CacheMaxAge,
        StoreExtendedInfo = StoreExtendedInfo ?? parent.StoreExtendedInfo,
    };

    public static void Register<TDraft>(KeyTable<TDraft> table, Func<TDraft, AllocationDraft> select)
    {
        table.On("allocator", (d, v, p, c) =>
        {
            if (TryAllocator(v, p, c, out var kind))
            {
                select(d).Allocator = kind;
            }
        });
        table.On("pd-allocator", (d, v, p, c) =>
        {
            if (TryAllocator(v, p, c, out var kind))
            {
                select(d).PdAllocator = kind;
            }
        });
        table.On("cache-threshold", (d, v, p, c) =>
        {
            if (!c.TryDouble(v, p, out var x))
            {
                return;
            }

            // 0 turns caching off (Forge writes 0.0 for that); 1 or more would cache beyond the lease's life.
            if (x < 0.0 || x >= 1.0)
            {
                c.Error(p, $"cache-threshold must be at least 0 and less than 1, got {x}");
                return;
            }

            select(d).CacheThreshold = x;
        });
        table.On("cache-max-age", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                select(d).CacheMaxAge = x;
            }
        });
        table.On("store-extended-info", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var store))
            {
                select(d).StoreExtendedInfo = store;
            }
        });
    }

    private static bool TryAllocator(JsonElement value, string path, ParseContext context, out AllocatorKind kind)
    {
        kind = AllocatorKind.Iterative;
        if (!context.TryString(value, path, out var text))
        {
            return false;
        }

        switch (text)
        {
            case "iterative":
                return true;
            case "random":
                kind = AllocatorKind.Random;
                return true;
            case "flq":
                // Kea's free-lease-queue allocator changes speed, not which leases are valid: iterative serves the same clients.
                context.Warn(path, "allocator 'flq' is not implemented yet; using 'iterative'");
                return true;
            case "shared-flq":
                // Shared by several servers: an iterative cursor per process would collide with the others' at every step.
                kind = AllocatorKind.SharedFreeLeaseQueue;
                context.Warn(path, "allocator 'shared-flq' picks at random here, not from the shared queue; on a PostgreSQL schema with the queue, every lease write keeps it up to date for the Kea servers that pick from it");
                return true;
            default:
                context.Error(path, $"supported allocators are: iterative, random, flq, shared-flq; got '{text}'");
                return false;
        }
    }
}
