namespace Pab.Antagonize;

/// <summary>What the main thread and the workers share: the stop flag, steady state and the moment it began.</summary>
public sealed class AntagonistControl(int workers, bool parked = false)
{
    private volatile bool _stop;
    private long _steadyTimestamp;
    private int _notAtMiddle = workers;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly ManualResetEventSlim _go = new(!parked);
    private readonly ManualResetEventSlim _free = new(true);

    /// <summary>How many workers share it.</summary>
    public int Workers { get; } = workers;

    public bool StopRequested => _stop;

    /// <summary>Stopwatch timestamp at which steady state was declared; 0 before.</summary>
    public long SteadyTimestamp => Volatile.Read(ref _steadyTimestamp);

    public bool AllReachedMiddle => Volatile.Read(ref _notAtMiddle) == 0;

    public void RequestStop()
    {
        _stop = true;
        _wake.Set();
        _go.Set();
    }

    /// <summary>Lets the workers start allocating; until then they are parked (the idle phase).</summary>
    public void Release() => _go.Set();

    /// <summary>A worker waits here, holding nothing and making no calls, until released or stopped.</summary>
    public void WaitForRelease() => _go.Wait();

    /// <summary>
    /// Before a stop: the workers, once they stop allocating, keep what they hold until <see cref="LetFree"/>,
    /// so the memory they leave can be probed as they left it.
    /// </summary>
    public void HoldAtStop() => _free.Reset();

    /// <summary>A stopped worker waits here, holding its blocks and making no calls, while the main thread probes.</summary>
    public void WaitToFree() => _free.Wait();

    /// <summary>Lets the stopped workers free what they hold.</summary>
    public void LetFree() => _free.Set();

    /// <summary>A worker held the middle count for the first time.</summary>
    public void ReachedMiddle()
    {
        if (Interlocked.Decrement(ref _notAtMiddle) == 0) _wake.Set();
    }

    public void DeclareSteady(long timestamp) => Volatile.Write(ref _steadyTimestamp, timestamp);

    /// <summary>Blocks until every worker reached the middle or a stop was requested (or the timeout passed).</summary>
    public bool WaitForSteadyOrStop(TimeSpan timeout)
    {
        _wake.Wait(timeout);
        return AllReachedMiddle || StopRequested;
    }

    /// <summary>Blocks until a stop is requested or the timeout passed (Timeout.InfiniteTimeSpan: never); true if stopped.</summary>
    public bool WaitForStop(TimeSpan timeout)
    {
        bool forever = timeout == Timeout.InfiniteTimeSpan;
        var deadline = forever ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (!_stop)
        {
            var left = forever ? TimeSpan.FromSeconds(1) : deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            _wake.Reset();
            if (_stop) break;
            _wake.Wait(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
        return true;
    }
}
