using System.Globalization;
using System.Runtime.InteropServices;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when <c>DOTNET_STARTUP_HOOKS</c> names this assembly (the runtime looks
/// for this type name in the global namespace). When <c>GCPROBE_DIR</c> is set, each SIGWINCH (harmless for a server
/// without a terminal) runs two full, blocking, compacting, aggressive collections — the second after finalizers
/// ran — which also give free memory back to the OS, and writes <c>"&lt;live heap bytes&gt; &lt;committed bytes&gt;"</c>
/// to <c>collected</c> in that directory. A signal, not a polled file, so the probe costs nothing between readings
/// (polling every 50 ms showed up as ~10% of the samples in a CPU profile of both servers).
/// </summary>
internal static class StartupHook
{
    static PosixSignalRegistration? _registration;

    public static void Initialize()
    {
        var dir = Environment.GetEnvironmentVariable("GCPROBE_DIR");
        if (string.IsNullOrEmpty(dir) || OperatingSystem.IsWindows()) return;
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
            new Thread(() => Collect(dir)) { IsBackground = true, Name = "gc-probe" }.Start());
    }

    static void Collect(string dir)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var result = Path.Combine(dir, "collected");
        var temp = result + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"{GC.GetTotalMemory(false)} {info.TotalCommittedBytes}"));
        File.Move(temp, result, overwrite: true);
    }
}
