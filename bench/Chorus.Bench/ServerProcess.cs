using System.Diagnostics;

namespace Chorus.Bench;

/// <summary>The real server (Release build) as a child process on 127.0.0.1 with its own data directory.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StreamWriter _log;

    public Uri BaseAddress { get; }
    public string DataDirectory { get; }
    public string LogFile { get; }

    ServerProcess(Process process, StreamWriter log, Uri baseAddress, string dataDirectory, string logFile)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        LogFile = logFile;
    }

    public int Pid => _process.Id;

    /// <summary>Process start until <c>/readyz</c> first answered 200.</summary>
    public TimeSpan ReadyAfter { get; private set; }

    /// <summary>The server's resident memory (VmRSS from /proc), in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// The server as it is deployed (docs/operations.md): published for this machine's runtime, precompiled with
    /// ReadyToRun, into bench/bin/server. Start-up time (W6) depends on it; steady-state rates hardly do.
    /// </summary>
    /// <param name="deployed">False: a plain Release build (the smoke size, which only proves the harness works and
    /// runs inside the test suite, where a ReadyToRun publish would take the CPU other tests need).</param>
    public static string Build(bool deployed = true)
    {
        if (!deployed) return Build(Path.Combine("src", "Chorus.Server"), "Chorus.Server.dll");
        var project = Path.Combine(Report.RepoRoot, "src", "Chorus.Server");
        var output = Path.Combine(Report.RepoRoot, "bench", "bin", "server");
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        Run("dotnet", ["publish", project, "-c", "Release", "-r", rid, "--self-contained", "false", "-o", output, "-nologo", "-v", "q"]);
        return Path.Combine(output, "Chorus.Server.dll");
    }

    static void Run(string file, string[] args)
    {
        var process = Process.Start(new ProcessStartInfo(file, args)
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Publishing the server failed:\n{output.Result}\n{errors}");
    }

    /// <summary>
    /// Reads every file the app at <paramref name="dll"/> loads at start (its own directory and the shared frameworks of
    /// this runtime) into the page cache, so a W6 start measures the start, not the disk. This VM's kernel pages out
    /// memory untouched for ~60 s (DAMON, /sys/kernel/mm/damon), page cache included: a start after a minute of other
    /// work read ~140 MB of assemblies from disk first (0.86–1.32 s against ~0.7–0.8 s warm, bench/findings.md).
    /// </summary>
    public static void WarmPageCache(string dll)
    {
        var runtime = new DirectoryInfo(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
        var directories = new List<string> { Path.GetDirectoryName(Path.GetFullPath(dll))! };
        // shared/Microsoft.NETCore.App/<version>/ -> every framework of the same version (ASP.NET Core's among them).
        if (runtime.Parent?.Parent is { } shared)
        {
            directories.AddRange(shared.EnumerateDirectories().Select(f => Path.Combine(f.FullName, runtime.Name)).Where(Directory.Exists));
            // The host that resolves the framework (dotnet/host/fxr).
            if (shared.Parent is { } root && Directory.Exists(Path.Combine(root.FullName, "host"))) directories.Add(Path.Combine(root.FullName, "host"));
        }
        var buffer = new byte[1 << 20];
        foreach (var file in directories.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)))
        {
            try
            {
                using var stream = File.OpenRead(file);
                while (stream.Read(buffer) > 0) { }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Projects built by this process: `run` with W3 asks again for what it built (the smoke test's time).</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Built = new();

    /// <summary>Builds a project of the repository in Release (once per process) and returns its dll.</summary>
    public static string Build(string projectDirectory, string dll) =>
        Built.GetOrAdd(projectDirectory + "|" + dll, _ => BuildNow(projectDirectory, dll));

    static string BuildNow(string projectDirectory, string dll)
    {
        var project = Path.Combine(Report.RepoRoot, projectDirectory);
        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0) throw new InvalidOperationException($"Building the server failed:\n{output.Result}\n{errors}");
        return Path.Combine(project, "bin", "Release", "net10.0", dll);
    }

    public static Task<ServerProcess> StartAsync(string dll, int port, IReadOnlyDictionary<string, string> environment, TimeSpan readyTimeout) =>
        StartAsync(dll, port, environment, readyTimeout, dataDir: null, demoSeed: true);

    /// <summary>
    /// Starts the server in <paramref name="dataDir"/> (a new temp directory when null) and waits for <c>/readyz</c>;
    /// <see cref="ReadyAfter"/> is the time from process start to the first 200, polled every 10 ms.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        string dll, int port, IReadOnlyDictionary<string, string> environment, TimeSpan readyTimeout, string? dataDir, bool demoSeed)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), $"bench-{port}-{DateTime.UtcNow:yyyyMMddHHmmssfff}");
        Directory.CreateDirectory(dataDir);
        var url = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        // The bench's own socket setting (Program.cs) is the client's, not the server's: servers run as deployed.
        info.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Chorus__DataDirectory"] = Path.Combine(dataDir, "data");
        info.Environment["Chorus__Demo__Seed"] = demoSeed ? "true" : "false";
        // Every bench client signs in from 127.0.0.1, so the per-IP sign-in limit would stop the token collection.
        info.Environment["Chorus__Security__SignInPerMinute"] = "100000";
        foreach (var (k, v) in environment) info.Environment[k] = v;

        var logFile = Path.Combine(dataDir, "server.log");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, log, new Uri(url), dataDir, logFile);

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < readyTimeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited with code {process.ExitCode}; see {logFile}");
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    server.ReadyAfter = Stopwatch.GetElapsedTime(started);
                    return server;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(10);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The server was not ready within {readyTimeout.TotalSeconds:F0} s; see {logFile}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
