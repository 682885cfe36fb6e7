using System.Collections.Concurrent;

namespace Pab.Report.Input;

/// <summary>
/// Runs independent items on up to <c>threads</c> threads (the caller's among them), each taking the next index:
/// what Parallel.For did here, without its generic ForWorker&lt;object, int&gt;, which ReadyToRun cannot precompile
/// and the JIT compiled at every start.
/// </summary>
internal static class Workers
{
    /// <summary>Calls <paramref name="body"/> for 0 … count − 1; the first failures, if any, come back in an AggregateException.</summary>
    public static void For(int count, int threads, Action<int> body)
    {
        int next = -1;
        var errors = new ConcurrentQueue<Exception>();
        void Work()
        {
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count) body(i);
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
                Volatile.Write(ref next, count); // the others stop at their next item
            }
        }
        var helpers = new Task[Math.Max(0, Math.Min(count, threads) - 1)];
        for (int t = 0; t < helpers.Length; t++) helpers[t] = Task.Run(Work);
        Work();
        Task.WaitAll(helpers);
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }
}
