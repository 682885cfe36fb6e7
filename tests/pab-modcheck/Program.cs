using System.Diagnostics;
using Pab.Common;

// pab-modcheck: the module driven through the tools' own side of the ABI (Pab.Common's Abi
// mirror and ModuleClient), run as root in the VM with the module loaded, in `make test`
// (ModuleVmTests). It checks what the C checker cannot: that the C# structs and ioctl numbers
// really work against the module. The module's contract in depth (every error path, threads,
// rmmod with a file open) on every kernel of the matrix is tests/kmod-c/pab-abi-check's, in
// `make test-matrix`. `pab-modcheck hold ORDER COUNT` is the child it kills.
if (args is ["hold", var o, var n])
    return Hold(int.Parse(o), int.Parse(n));

var checks = new Checks();
checks.RunAll();
return checks.Failed == 0 ? 0 : 1;

static int Hold(int order, int count)
{
    var client = ModuleClient.Open();
    for (int i = 0; i < count; i++)
        if (client.TryAllocPage(order, out _) != 0) return 2;
    Console.WriteLine("held");
    Thread.Sleep(Timeout.Infinite);
    return 0;
}

internal sealed unsafe class Checks
{
    public int Passed, Failed;
    private uint _maxOrder;

    private void Check(string name, Action body)
    {
        try
        {
            body();
            Passed++;
            Console.WriteLine($"ok - {name}");
        }
        catch (Exception e)
        {
            Failed++;
            Console.WriteLine($"not ok - {name}: {e.Message}");
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException(what);
    }

    private static void ExpectErrno(int expected, int actual, string call) =>
        Expect(actual == expected, $"{call} gave errno {actual} ({Native.ErrorText(actual)}), expected {expected} ({Native.ErrorText(expected)})");

    public void RunAll()
    {
        using var client = ModuleClient.Open();
        ulong totalBefore = client.Info().TotalOutstanding;

        Check("info reports ABI, max order and nothing outstanding", () =>
        {
            var info = client.Info();
            Expect(info.AbiVersion == Abi.AbiVersion, $"ABI {info.AbiVersion}");
            Expect(info.MaxOrder is >= 8 and <= 15, $"max order {info.MaxOrder}");
            Expect(info.FileOutstanding == 0, $"file outstanding {info.FileOutstanding}");
            Expect(info.ModuleVersion.Length > 0, "empty module version");
            _maxOrder = info.MaxOrder;
            Console.WriteLine($"# module {info.ModuleVersion}, ABI {info.AbiVersion}, max order {info.MaxOrder}");
        });

        foreach (int order in new[] { 0, 4, (int)_maxOrder })
        {
            Check($"single alloc/free at order {order}", () =>
            {
                var ids = new List<ulong>();
                for (int i = 0; i < 8; i++)
                {
                    ExpectErrno(0, client.TryAllocPage(order, out var r), "alloc");
                    Expect(r.Nid >= 0 && r.LatencyNs > 0, $"nid {r.Nid}, latency {r.LatencyNs} ns");
                    ids.Add(r.Id);
                }
                Expect(ids.Distinct().Count() == ids.Count, "ids repeat");
                Expect(client.Info().FileOutstanding == 8, $"outstanding {client.Info().FileOutstanding} after 8 allocs");
                Expect(client.Info().TotalOutstandingPages >= 8UL << order, "total pages too small");
                foreach (ulong id in ids)
                {
                    ExpectErrno(0, client.TryFreePage(id, out long ns), "free");
                    Expect(ns > 0, $"free latency {ns} ns");
                }
                ExpectErrno(Native.ENOENT, client.TryFreePage(ids[0], out _), "second free of a freed id");
                Expect(client.Info().FileOutstanding == 0, "outstanding after frees");
            });

            Check($"batched alloc/free at order {order}", () =>
            {
                int n = order == (int)_maxOrder ? 8 : 256;
                var entries = new PabBatchEntry[n];
                ExpectErrno(0, client.TryAllocBatch(order, entries, out int done), "alloc batch");
                Expect(done == n, $"done {done} of {n}");
                Expect(entries.All(e => e.Nid >= 0 && e.LatencyNs > 0), "an entry lacks node or latency");
                Expect(entries.Select(e => e.Id).Distinct().Count() == n, "ids repeat");
                Expect(client.Info().FileOutstanding == (ulong)n, "outstanding after batch alloc");
                ExpectErrno(0, client.TryFreeBatch(entries, out done), "free batch");
                Expect(done == n && entries.All(e => e.LatencyNs > 0), "free batch incomplete");
                ExpectErrno(Native.ENOENT, client.TryFreeBatch(entries.AsSpan(0, 1), out done), "batch free of a freed id");
                Expect(done == 0, $"done {done} for a freed id");
                Expect(client.Info().FileOutstanding == 0, "outstanding after batch free");
            });

            Check($"queued alloc/free at order {order}: oldest first", () =>
            {
                int n = order == (int)_maxOrder ? 8 : 256;
                var entries = new PabBatchEntry[n];
                using var file = ModuleClient.Open(); // fresh queues: places start at 1
                ExpectErrno(0, file.TryQueueAlloc(order, entries, out int done), "queue alloc");
                Expect(done == n, $"done {done} of {n}");
                Expect(entries.All(e => e.Nid >= 0 && e.LatencyNs > 0), "an entry lacks node or latency");
                Expect(entries.Select(e => e.Id).SequenceEqual(Enumerable.Range(1, n).Select(i => (ulong)i)), "places are not 1..n");
                Expect(file.Info().FileOutstanding == (ulong)n, "outstanding after queue alloc");
                var half = entries.AsSpan(0, n / 2);
                ExpectErrno(0, file.TryQueueFree(order, half, out done), "queue free");
                Expect(done == n / 2 && half[0].Id == 1 && half[^1].Id == (ulong)(n / 2), $"freed places {half[0].Id}..{half[^1].Id}, not the oldest");
                ExpectErrno(Native.ENOENT, file.TryQueueFree(order, entries, out done), "queue free past the end");
                Expect(done == n - n / 2 && entries[0].Id == (ulong)(n / 2 + 1), $"rest: done {done}, first {entries[0].Id}");
                Expect(file.Info().FileOutstanding == 0, "outstanding after queue free");
            });
        }

        Check("another file's id cannot be freed", () =>
        {
            using var other = ModuleClient.Open();
            ExpectErrno(0, client.TryAllocPage(0, out var r), "alloc");
            ExpectErrno(Native.ENOENT, other.TryFreePage(r.Id, out _), "free through another file");
            var e = new PabBatchEntry[] { new() { Id = r.Id } };
            ExpectErrno(Native.ENOENT, other.TryFreeBatch(e, out _), "batch free through another file");
            ExpectErrno(0, client.TryFreePage(r.Id, out _), "free through the owner");
        });

        Check("unknown ids fail with ENOENT", () =>
        {
            foreach (ulong id in new ulong[] { 0, 1, 0xffff_ffff, ulong.MaxValue, 0xffff_8880_0000_0000 })
                ExpectErrno(Native.ENOENT, client.TryFreePage(id, out _), $"free of id {id:x}");
        });

        Check("invalid orders fail with EINVAL", () =>
        {
            var e = new PabBatchEntry[1];
            foreach (int order in new[] { -1, (int)_maxOrder + 1, 64, int.MaxValue, int.MinValue })
            {
                ExpectErrno(Native.EINVAL, client.TryAllocPage(order, out _), $"alloc order {order}");
                ExpectErrno(Native.EINVAL, client.TryAllocBatch(order, e, out _), $"batch alloc order {order}");
            }
        });

        Check("bad batch counts and flags fail with EINVAL", () =>
        {
            ExpectErrno(Native.EINVAL, client.TryAllocBatch(0, Span<PabBatchEntry>.Empty, out _), "batch of 0");
            ExpectErrno(Native.EINVAL, client.TryAllocBatch(0, new PabBatchEntry[Abi.BatchMax + 1], out _), "batch over the maximum");
            var entries = new PabBatchEntry[1];
            fixed (PabBatchEntry* p = entries)
            {
                var batch = new PabBatch { Entries = (ulong)p, Count = 1, Flags = 1 };
                ExpectErrno(Native.EINVAL, client.RawIoctl(Abi.AllocBatch, &batch), "batch with flags");
            }
        });

        Check("bad pointers fail with EFAULT", () =>
        {
            ExpectErrno(Native.EFAULT, client.RawIoctl(Abi.AllocPage, null), "alloc with NULL argument");
            ExpectErrno(Native.EFAULT, client.RawIoctl(Abi.Info, (void*)0xffff_ffff_8100_0000), "info into kernel address");
            var batch = new PabBatch { Entries = 0, Count = 4 };
            ExpectErrno(Native.EFAULT, client.RawIoctl(Abi.AllocBatch, &batch), "batch with NULL entries");
            Expect(client.Info().FileOutstanding == 0, "a faulted batch left pages behind");
        });

        Check("unknown command fails with ENOTTY", () =>
        {
            long x = 0;
            ExpectErrno(Native.ENOTTY, client.RawIoctl(0xc0081263, &x), "command 0x63");
            ExpectErrno(Native.ENOTTY, client.RawIoctl(0x5401, &x), "TCGETS");
        });

        Check("selftest loop runs in the kernel", () =>
        {
            var r = client.Selftest(0, 100, 20000);
            Expect(r.Allocs == 20000 && r.Failures == 0 && r.ElapsedNs > 0, $"allocs {r.Allocs}, failures {r.Failures}, {r.ElapsedNs} ns");
            Console.WriteLine($"# selftest order 0: {r.Allocs * 1e9 / r.ElapsedNs:F0} allocs/s");
            Expect(client.Info().FileOutstanding == 0, "selftest left pages behind");
        });

        Check("a client killed with SIGKILL leaves nothing outstanding", () =>
        {
            ulong before = client.Info().TotalOutstanding;
            var psi = new ProcessStartInfo(Environment.ProcessPath!, "hold 4 100") { RedirectStandardOutput = true };
            using var child = Process.Start(psi)!;
            string? line = child.StandardOutput.ReadLine();
            Expect(line == "held", $"child said '{line}'");
            ulong during = client.Info().TotalOutstanding;
            Expect(during == before + 100, $"outstanding {during} while the child holds 100 (before {before})");
            child.Kill();
            child.WaitForExit();
            ulong after = client.Info().TotalOutstanding;
            Expect(after == before, $"outstanding {after} after the kill, {before} before");
        });

        Check("nothing outstanding at the end", () =>
        {
            var info = client.Info();
            Expect(info.FileOutstanding == 0 && info.TotalOutstanding == totalBefore,
                $"file {info.FileOutstanding}, total {info.TotalOutstanding} (was {totalBefore})");
        });

        Console.WriteLine($"{Passed} passed, {Failed} failed");
    }
}
