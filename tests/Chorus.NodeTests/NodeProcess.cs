using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chorus.NodeTests;

/// <summary>One real Chorus server process (the built Chorus.Server.dll) on a free loopback port, with its output kept.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _log = new();

    public string Name { get; }
    public string BaseUrl { get; }

    NodeProcess(string name, Process process, string baseUrl) { Name = name; _process = process; BaseUrl = baseUrl; }

    public string Log { get { lock (_log) return _log.ToString(); } }

    public static NodeProcess Start(string name, string connectionString, string workingDirectory)
    {
        Directory.CreateDirectory(workingDirectory);
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { BuiltDll("src/Chorus.Server", "Chorus.Server.dll") },
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["Chorus__DataDirectory"] = workingDirectory;
        start.Environment["Chorus__Database__Provider"] = "Postgres";
        start.Environment["ConnectionStrings__Chorus"] = connectionString;
        start.Environment["Chorus__Demo__Seed"] = "false";
        // Every test signs in and posts from 127.0.0.1; rate limits are not what these tests are about.
        start.Environment["Chorus__Security__SignInPerMinute"] = "1000";
        start.Environment["Chorus__Security__PostsPerMinute"] = "1000";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server.");
        var node = new NodeProcess(name, process, baseUrl);
        process.OutputDataReceived += (_, e) => { lock (node._log) node._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (node._log) node._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // Bounds the wait on a slow, shared machine; it asserts nothing about speed.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Node {Name} exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* busy starting */ }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Node {Name} did not become ready:\n{Log}");
    }

    /// <summary>SIGKILL on Linux: no graceful shutdown, open streams just break, as when a machine dies.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>A project's build output, found from this test assembly's own bin/&lt;Configuration&gt;/net10.0.</summary>
    public static string BuiltDll(string project, string dll)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../..", project, "bin", configuration, "net10.0", dll));
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first (dotnet build).", path);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
