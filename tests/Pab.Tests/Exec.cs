using System.Diagnostics;

namespace Pab.Tests;

/// <summary>Runs a program to its end and hands back its exit code and output: the one way tests start processes.</summary>
public static class Exec
{
    public sealed record Result(int Code, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static Result Run(string file, params string[] args) => Run(file, args, TimeSpan.FromMinutes(30));

    /// <summary>Kills the process tree and throws <see cref="TimeoutException"/> when it runs past <paramref name="timeout"/>.</summary>
    /// <param name="input">Written to the process's stdin, which is then closed (null: no stdin).</param>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, string? input = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input != null, UseShellExecute = false,
        };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input != null)
        {
            p.StandardInput.Write(input);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
