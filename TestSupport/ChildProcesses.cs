using System.Diagnostics;

namespace LoopedIcl.TestSupport;

/// <summary>What a child process printed and how it ended (exit −1 and "timed out" when it was killed at the time limit).</summary>
public sealed record ChildResult(int Exit, string Stdout, string Stderr);

/// <summary>
/// Runs the tools under test as child processes, several at once, without blocking a thread per child: waiting with
/// <c>Task.Run(() =&gt; p.WaitForExit())</c> starves the 2-core thread pool, which adds a thread every ~0.5 s, so 14 children took 7 s
/// instead of 0.3 s.
/// </summary>
public static class ChildProcesses
{
    /// <summary>Starts every child, then waits for all of them (each killed after <paramref name="timeout"/>).</summary>
    public static ChildResult[] RunAll(IReadOnlyList<ProcessStartInfo> children, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(children);
        return Task.WhenAll(children.Select(c => RunAsync(c, timeout))).GetAwaiter().GetResult();
    }

    /// <summary>One child (see <see cref="RunAll"/>).</summary>
    public static ChildResult Run(ProcessStartInfo child, TimeSpan timeout) => RunAll([child], timeout)[0];

    /// <summary>`dotnet <paramref name="dll"/> <paramref name="args"/>` in <paramref name="cwd"/>, output captured.</summary>
    public static ProcessStartInfo Dotnet(string dll, string cwd, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static async Task<ChildResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(limit.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            return new ChildResult(-1, "", "timed out");
        }
        return new ChildResult(p.ExitCode, await stdout.ConfigureAwait(false), (await stderr.ConfigureAwait(false)).Trim());
    }
}
