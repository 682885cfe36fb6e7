using System.Globalization;
using Pab.Common;

namespace Pab.Antagonize;

/// <summary>The module's in-kernel loop on every CPU at once, each thread pinned: the machine's limit, for comparing the workers with.</summary>
public sealed class Selftest(int order, uint hold, ulong count, string procPath, RunOutput output)
{
    public int Run(int[] cpus, Topology topology)
    {
        var results = new PabSelftest[cpus.Length];
        var errors = new string?[cpus.Length];
        var threads = new Thread[cpus.Length];
        for (int i = 0; i < cpus.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                int err = CpuAffinity.PinCurrentThread(cpus[index]);
                if (err != 0)
                {
                    errors[index] = $"pinning to CPU {cpus[index]}: {Native.ErrorText(err)}";
                    return;
                }
                try
                {
                    using var client = ModuleClient.Open(procPath);
                    results[index] = client.Selftest(order, hold, count);
                }
                catch (ModuleException e)
                {
                    errors[index] = e.Message;
                }
            })
            { Name = $"selftest-cpu{cpus[i]}" };
            threads[i].Start();
        }
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e != null) is { } error)
            return output.Fail(new Refusal(ExitCode.ModuleCallFailed, "selftest: " + error));

        double sumRate = 0;
        for (int i = 0; i < cpus.Length; i++)
        {
            var r = results[i];
            double rate = r.ElapsedNs > 0 ? r.Allocs * 1e9 / r.ElapsedNs : 0;
            sumRate += rate;
            output.Event("selftest", $"CPU {cpus[i]} (node {topology.NodeOf(cpus[i])})", cpus[i], new()
            {
                ["allocs_count"] = r.Allocs,
                ["failures_count"] = r.Failures,
                ["elapsed_s"] = r.ElapsedNs / 1e9,
                ["alloc_rate_pages_per_s"] = rate,
                ["hold_blocks"] = hold,
            });
        }
        output.Write(AntagonistRecords.Metric(order, Metrics.KernelSelftestAllocRate, (long)Math.Round(sumRate), Units.PagesPerSecond, new()
        {
            ["per_cpu_pages_per_s"] = sumRate / cpus.Length,
            ["cpus_count"] = cpus.Length,
            ["hold_blocks"] = hold,
        }));
        output.Say(string.Create(CultureInfo.InvariantCulture,
            $"selftest order {order}, {cpus.Length} CPUs, hold {hold}: {sumRate / cpus.Length:0} pages/s per CPU"));
        return 0;
    }
}
