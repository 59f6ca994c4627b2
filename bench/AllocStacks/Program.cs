using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// AllocStacks TRACE.nettrace [--frames N] [--top N] [--match TEXT] [--site PREFIX] [--divide N]
// Each GCAllocationTick event stands for the ~100 kB its heap allocated since the last one; the type and the stack
// are those of the allocation that crossed the mark, so over many ticks the bytes split as the allocations do.
if (args.Length == 0 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: AllocStacks TRACE.nettrace [--frames 8] [--top 30] [--match TEXT] [--divide N]\n" +
        "  --frames: frames of each stack to group by (leaf first, runtime frames skipped)\n" +
        "  --match: only stacks with a frame containing TEXT\n  --site: group by the first frame starting with PREFIX (default Chorus.)\n  --divide: print bytes divided by N too (e.g. the requests in the trace)");
    return 2;
}
int Opt(string name, int fallback) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
string? Text(string name) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var frames = Opt("frames", 8);
var top = Opt("top", 30);
var divide = Opt("divide", 0);
var match = Text("match");
var site = Text("site") ?? "Chorus.";

var etlx = TraceLog.CreateFromEventPipeDataFile(args[0], Path.ChangeExtension(args[0], ".etlx"), new TraceLogOptions { ConversionLog = TextWriter.Null });
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
var bySite = new Dictionary<string, long>();
long total = 0, ticks = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    var names = new List<string>();
    for (var s = e.CallStack(); s is not null; s = s.Caller)
    {
        var name = s.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name)) continue;
        names.Add(name);
    }
    if (match is not null && !names.Exists(n => n.Contains(match, StringComparison.Ordinal))) continue;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    ticks++;
    var type = tick.TypeName ?? "?";
    byType[type] = byType.GetValueOrDefault(type) + bytes;
    var key = type + "\n      " + string.Join("\n      ", names.Take(frames).Select(Short));
    byStack[key] = byStack.GetValueOrDefault(key) + bytes;
    // The first frame of the application's own code: which of its methods made the garbage, itself or through a library.
    var mine = names.Find(n => n.StartsWith(site, StringComparison.Ordinal)) is { } m ? Short(m) : "(no " + site + " frame)";
    bySite[mine] = bySite.GetValueOrDefault(mine) + bytes;
}

string Per(long bytes) => divide > 0 ? $" ({bytes / (double)divide:F0} B each)" : "";
Console.WriteLine($"{ticks:N0} allocation ticks, {total / 1048576.0:N0} MB{Per(total)}");
Console.WriteLine("\nBy type:");
foreach (var (type, bytes) in byType.OrderByDescending(kv => kv.Value).Take(top))
    Console.WriteLine($"  {100.0 * bytes / total,5:F1}% {bytes / 1048576.0,8:N0} MB{Per(bytes)}  {type}");
Console.WriteLine($"\nBy the first frame starting with {site}:");
foreach (var (frame, bytes) in bySite.OrderByDescending(kv => kv.Value).Take(top))
    Console.WriteLine($"  {100.0 * bytes / total,5:F1}% {bytes / 1048576.0,8:N0} MB{Per(bytes)}  {frame}");
Console.WriteLine("\nBy stack:");
foreach (var (stack, bytes) in byStack.OrderByDescending(kv => kv.Value).Take(top))
    Console.WriteLine($"  {100.0 * bytes / total,5:F1}% {bytes / 1048576.0,8:N0} MB{Per(bytes)}  {stack}\n");
return 0;

// Drops argument lists and the module prefix from a method's name.
static string Short(string name)
{
    var paren = name.IndexOf('(');
    return paren > 0 ? name[..paren] : name;
}
