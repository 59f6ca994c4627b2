using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when <c>DOTNET_STARTUP_HOOKS</c> names this assembly. When
/// <c>STALLPROBE_FILE</c> is set it appends, with Unix-epoch milliseconds:
/// <list type="bullet">
/// <item><c>gc EPOCH_MS PAUSE_MS GEN …</c> for every GC pause (execution engine suspended to restarted, from the runtime's
/// own GC events through an in-process <see cref="EventListener"/>), followed by what the collection promoted, how the
/// pause split into suspending the threads, the collection's own work and restarting them, and the kilobytes each
/// server-GC heap marked from each kind of root (<c>mHEAP.KIND</c>: 0 stacks, 1 finalizer queue, 2 handles, 3 older
/// generations through the card table, …): the tool that showed one heap's thread marking all of W1's survivors
/// (bench/findings.md, twenty-third session);</item>
/// <item><c>late EPOCH_MS LATE_MS</c> when a thread that sleeps 1 ms woke more than <c>STALLPROBE_LATE_MS</c> (default
/// 10; 0 turns it off, as the bench's `run` does: the ticker wakes a thousand times a second) late: the process had
/// no core for it (the machine's other work, or a GC).</item>
/// <item>with <c>STALLPROBE_ALLOC=1</c>, every 10 s: <c>alloc EPOCH_MS TOTAL_BYTES</c> (the process's allocated bytes so
/// far, <see cref="GC.GetTotalAllocatedBytes"/>) and <c>allocType KB NAME</c> for the 40 types with the most sampled
/// allocation so far (the runtime's allocation ticks, one per ~100 kB a heap allocates, naming the type whose
/// allocation crossed it): where a request's garbage comes from.</item>
/// <item>with <c>STALLPROBE_POOL=1</c>, every 100 ms: <c>pool EPOCH_MS MAX_PENDING THREADS COMPLETED</c>, the most work
/// items the thread pool held queued at any 1 ms sample in that window, its thread count and the work items it had
/// completed so far: whether requests waited for a thread rather than for a core.</item>
/// </list>
/// See bench/README.md ("Where a tail comes from").
/// </summary>
internal static class StartupHook
{
    static Listener? _listener;

    public static void Initialize()
    {
        var file = Environment.GetEnvironmentVariable("STALLPROBE_FILE");
        if (string.IsNullOrEmpty(file)) return;
        var late = double.TryParse(Environment.GetEnvironmentVariable("STALLPROBE_LATE_MS"), CultureInfo.InvariantCulture, out var l) ? l : 10;
        var writer = new StreamWriter(file, append: true) { AutoFlush = true };
        var gate = new object();
        void Write(string line) { lock (gate) writer.WriteLine(line); }
        var sampleAllocations = Environment.GetEnvironmentVariable("STALLPROBE_ALLOC") == "1";
        _listener = new Listener(Write, sampleAllocations);
        if (sampleAllocations)
            new Thread(() =>
            {
                while (true)
                {
                    Thread.Sleep(10_000);
                    _listener.DumpAllocations();
                }
            }) { IsBackground = true, Name = "stall-probe-alloc" }.Start();
        if (Environment.GetEnvironmentVariable("STALLPROBE_POOL") == "1")
            new Thread(() =>
            {
                long maxPending = 0;
                var windowStart = Stopwatch.GetTimestamp();
                while (true)
                {
                    Thread.Sleep(1);
                    maxPending = Math.Max(maxPending, ThreadPool.PendingWorkItemCount);
                    if (Stopwatch.GetElapsedTime(windowStart).TotalMilliseconds < 100) continue;
                    Write(string.Create(CultureInfo.InvariantCulture,
                        $"pool {Epoch(DateTime.UtcNow):F0} {maxPending} {ThreadPool.ThreadCount} {ThreadPool.CompletedWorkItemCount}"));
                    maxPending = 0;
                    windowStart = Stopwatch.GetTimestamp();
                }
            }) { IsBackground = true, Name = "stall-probe-pool", Priority = ThreadPriority.Highest }.Start();
        if (late <= 0) return;
        new Thread(() =>
        {
            var last = Stopwatch.GetTimestamp();
            while (true)
            {
                Thread.Sleep(1);
                var now = Stopwatch.GetTimestamp();
                var ms = Stopwatch.GetElapsedTime(last, now).TotalMilliseconds - 1;
                if (ms > late) Write(string.Create(CultureInfo.InvariantCulture, $"late {Epoch(DateTime.UtcNow) - ms:F0} {ms:F1}"));
                last = now;
            }
        }) { IsBackground = true, Name = "stall-probe", Priority = ThreadPriority.Highest }.Start();
    }

    static double Epoch(DateTime utc) => (utc - DateTime.UnixEpoch).TotalMilliseconds;

    sealed class Listener(Action<string> write, bool sampleAllocations) : EventListener
    {
        readonly Dictionary<string, ulong> _allocated = new();

        public void DumpAllocations()
        {
            KeyValuePair<string, ulong>[] top;
            lock (_allocated) top = _allocated.OrderByDescending(kv => kv.Value).Take(40).ToArray();
            write(string.Create(CultureInfo.InvariantCulture, $"alloc {Epoch(DateTime.UtcNow):F0} {GC.GetTotalAllocatedBytes()}"));
            foreach (var (type, bytes) in top) write(string.Create(CultureInfo.InvariantCulture, $"allocType {bytes >> 10} {type}"));
        }

        /// <summary>Milliseconds from one event to another; "?" when either was not seen.</summary>
        static string Ms(DateTime from, DateTime to) =>
            from == default || to == default ? "?" : (to - from).TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture);

        DateTime _suspended, _suspendedEnd, _started, _ended;
        uint _generation;
        string _heap = "";
        readonly System.Text.StringBuilder _marks = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            // GC keyword (0x1) at Informational: GCStart, GCSuspendEEBegin, GCRestartEEEnd.
            // With allocation sampling, Verbose adds GCAllocationTick (every ~100 kB a heap allocates).
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, sampleAllocations ? EventLevel.Verbose : EventLevel.Informational, (EventKeywords)0x1);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            switch (e.EventName)
            {
                case "GCAllocationTick_V4" when e.Payload is { Count: > 5 } a:
                    // AllocationAmount (bytes since the last tick on this heap), then the type that crossed it.
                    var type = a[5] as string ?? "?";
                    var amount = Convert.ToUInt64(a[0], CultureInfo.InvariantCulture);
                    lock (_allocated) _allocated[type] = _allocated.GetValueOrDefault(type) + amount;
                    break;
                case "GCStart_V2" when e.Payload is { Count: > 1 } p:
                    _generation = Convert.ToUInt32(p[1], CultureInfo.InvariantCulture);
                    _started = e.TimeStamp;
                    break;
                case "GCHeapStats_V2" when e.Payload is { Count: > 5 } h:
                    // Bytes promoted out of gen0 and gen1 by this collection, and gen2's size after it, in KB.
                    _heap = string.Create(CultureInfo.InvariantCulture,
                        $" promoted0={Convert.ToUInt64(h[1], CultureInfo.InvariantCulture) >> 10} promoted1={Convert.ToUInt64(h[3], CultureInfo.InvariantCulture) >> 10} gen2={Convert.ToUInt64(h[4], CultureInfo.InvariantCulture) >> 10}");
                    break;
                case "GCSuspendEEBegin_V1":
                    // A new pause: nothing seen before it (a background collection's end, a suspension that was not
                    // for a collection) belongs to it.
                    _suspended = e.TimeStamp;
                    _suspendedEnd = _started = _ended = default;
                    _generation = 0;
                    _heap = "";
                    _marks.Clear();
                    break;
                case "GCSuspendEEEnd_V1":
                    _suspendedEnd = e.TimeStamp;
                    break;
                case "GCEnd_V1":
                    _ended = e.TimeStamp;
                    break;
                case "GCMarkWithType" when e.Payload is { Count: > 3 } m:
                    // Bytes marked from each kind of root, by heap: 0 stacks, 1 finalizer queue, 2 handles, 3 older
                    // generations (cards), 4 sized refs, 5 overflow, 6 dependent handles, 7 new finalizer queue,
                    // 8 stolen from another heap, 9 background collection.
                    _marks.Append(CultureInfo.InvariantCulture, $" m{m[0]}.{m[2]}={Convert.ToUInt64(m[3], CultureInfo.InvariantCulture) >> 10}");
                    break;
                case "GCRestartEEEnd_V1" when _suspended != default:
                    write(string.Create(CultureInfo.InvariantCulture,
                        $"gc {Epoch(_suspended.ToUniversalTime()):F0} {(e.TimeStamp - _suspended).TotalMilliseconds:F2} {_generation}{_heap} suspend={Ms(_suspended, _suspendedEnd)} work={Ms(_started, _ended)} restart={Ms(_ended, e.TimeStamp)}{_marks}"));
                    _suspended = _suspendedEnd = _started = _ended = default;
                    _heap = "";
                    _marks.Clear();
                    break;
            }
        }
    }
}
