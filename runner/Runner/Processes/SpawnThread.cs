using System.Collections.Concurrent;
using System.Diagnostics;

namespace Runner.Processes;

/// <summary>
/// Starts every child from one thread that lives as long as the runner. Linux sends a
/// child's parent-death signal (PR_SET_PDEATHSIG, see <see cref="ChildWrapper"/>) when the
/// thread that forked it exits, not the process: a child forked from a thread-pool thread
/// would be killed whenever that thread retired, in the middle of a run.
/// </summary>
public static class SpawnThread
{
    static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = new();
    static readonly Lazy<Thread> Worker = new(() =>
    {
        var t = new Thread(Loop) { IsBackground = true, Name = "runner-spawn" };
        t.Start();
        return t;
    });

    /// <summary>Starts <paramref name="process"/> on the spawn thread; its exceptions (a missing program) surface here.</summary>
    public static Task StartAsync(Process process)
    {
        _ = Worker.Value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    static void Loop()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
