using System.Diagnostics;
using Pab.Antagonize;

namespace Pab.Tests.Antagonize;

public class ControlTests
{
    [Fact]
    public void WaitingForeverEndsOnlyWithAStop()
    {
        var control = new AntagonistControl(1);
        bool? result = null;
        var waiter = new Thread(() => result = control.WaitForStop(Timeout.InfiniteTimeSpan));
        waiter.Start();
        Assert.False(waiter.Join(1500), "an infinite wait returned without a stop");
        control.RequestStop();
        Assert.True(waiter.Join(5000));
        Assert.True(result);
    }

    [Fact]
    public void TimedWaitEndsAfterItsTime()
    {
        var control = new AntagonistControl(1);
        var sw = Stopwatch.StartNew();
        Assert.False(control.WaitForStop(TimeSpan.FromMilliseconds(300)));
        Assert.InRange(sw.ElapsedMilliseconds, 290, 5000);
    }

    [Fact]
    public void SteadyWhenEveryWorkerReachedTheMiddle()
    {
        var control = new AntagonistControl(2);
        control.ReachedMiddle();
        Assert.False(control.WaitForSteadyOrStop(TimeSpan.FromMilliseconds(50)));
        control.ReachedMiddle();
        Assert.True(control.WaitForSteadyOrStop(TimeSpan.FromSeconds(5)));
        Assert.False(control.StopRequested);
    }
}
