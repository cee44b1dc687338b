using System.Runtime.CompilerServices;
using Pukeko.Server.Leases.Index;

namespace Pukeko.Server.Tests.Leases.Index;

public sealed class LeaseRecordTests
{
    // The index's memory per lease (docs/performance.md) counts on a record of one cache line; a new field that
    // grows it costs 16 MB per million leases, so it should be a decision, not an accident.
    [Fact]
    public void A_record_is_64_bytes() => Assert.Equal(64, Unsafe.SizeOf<LeaseRecord>());
}
