using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Chorus.BrowserTests.ServerFixture))]

namespace Chorus.BrowserTests;

/// <summary>
/// One real Chorus server (the built Chorus.Server.dll, as a child process, Production environment, demo
/// organization seeded into a fresh temp directory) and one headless Chromium for the whole test run.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    Process? server;
    readonly StringBuilder log = new();
    string dataDirectory = "";
    IPlaywright? playwright;

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public static string RepoRoot { get; } = FindRepoRoot();

    public async ValueTask InitializeAsync()
    {
        var dll = ServerDll();
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        dataDirectory = Directory.CreateTempSubdirectory("chorus-browser-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        start.Environment["Chorus__DataDirectory"] = dataDirectory;
        start.Environment["Chorus__Demo__Seed"] = "true";
        // Every test signs in from 127.0.0.1; the per-address sign-in limit is not what these tests are about.
        start.Environment["Chorus__Security__SignInPerMinute"] = "1000";
        // Each request's start and end (with its status and time) in the server log, which a failed sign-in prints: a
        // sign-in stayed on the home page's URL without its document for 90 s twice in CI under the other suites' load
        // (2026-12-04, 2026-12-05), and the log did not say whether the server had answered.
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server.");
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        await WaitUntilReadyAsync();

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        server?.Dispose();
        try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { /* SQLite may still hold a file on a slow machine; it is a temp dir. */ }
    }

    public string ServerLog { get { lock (log) return log.ToString(); } }

    /// <summary>A browser context that has signed in as the given demo person.</summary>
    public async Task<IPage> SignedInPageAsync(string handle, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            JavaScriptEnabled = javaScript,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Handle").FillAsync(handle);
        await page.GetByLabel("Password").FillAsync("chorus-demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The home page's document, not every avatar on it: with the other test suites on the same two cores, waiting
        // for the full load event took over 30 s once (CI, 2026-12-03). What a test does next waits for its own elements.
        // Even that passed 30 s once more (CI, 2026-12-03, with the node tests starting servers beside it): 90 s.
        try { await page.WaitForURLAsync(BaseUrl + "/", new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 90_000 }); }
        catch (TimeoutException e)
        {
            // Once (CI, 2026-12-04, under the other suites' load) the page never reached home: say where it stayed.
            var log = ServerLog;
            // What the browser has of the document, if it answers at all within a few seconds.
            var state = page.EvaluateAsync<string>("document.readyState + ', ' + document.documentElement.outerHTML.length + ' characters'");
            var said = await Task.WhenAny(state, Task.Delay(5_000)) == state && state.IsCompletedSuccessfully ? state.Result : "no answer from the page";
            throw new TimeoutException($"Signing in as {handle} did not reach the home page within 90 s; the page is at {page.Url} ({said}). " +
                $"Server log, last lines:\n{log[Math.Max(0, log.Length - 8000)..]}", e);
        }
        return page;
    }

    async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // Seeding 400 people on a slow machine can take a while; this bounds the wait, it asserts nothing about speed.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (server!.HasExited) throw new InvalidOperationException($"The server exited with {server.ExitCode}:\n{ServerLog}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* busy seeding */ }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The server did not become ready:\n{ServerLog}");
    }

    static string ServerDll()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Chorus.Server/bin", configuration, "net10.0/Chorus.Server.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the server first (dotnet build).", dll);
    }

    /// <summary>CHORUS_CHROMIUM overrides; otherwise the chromium on PATH (Debian's package), as `which chromium` finds it.</summary>
    static string Chromium()
    {
        if (Environment.GetEnvironmentVariable("CHORUS_CHROMIUM") is { Length: > 0 } configured) return configured;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Chromium is not installed (apt-get install chromium).");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Chorus.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Chorus.slnx not found above the test assembly.");
    }
}
