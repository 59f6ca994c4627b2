namespace Chorus.Server.Features.GroupPages;

/// <summary>
/// A line diff by longest common subsequence (DiffPlex is not in the package copy). Common leading and trailing
/// lines are stripped first, so typical edits compare only a few lines; when the changed middle is still too large
/// for the quadratic table, it is shown as removed-then-added, which is correct if not minimal.
/// </summary>
public static class LineDiff
{
    /// <summary>4 million cells: 16 MB of ints at most per diff.</summary>
    public const long MaxCells = 4_000_000;

    public static IReadOnlyList<DiffLine> Compute(string from, string to)
    {
        var a = Split(from);
        var b = Split(to);
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        var endA = a.Length; var endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1]) { endA--; endB--; }

        var result = new List<DiffLine>(Math.Max(a.Length, b.Length));
        for (var i = 0; i < start; i++) result.Add(new DiffLine("same", a[i]));
        var n = endA - start; var m = endB - start;
        if ((long)(n + 1) * (m + 1) > MaxCells)
        {
            for (var i = start; i < endA; i++) result.Add(new DiffLine("remove", a[i]));
            for (var j = start; j < endB; j++) result.Add(new DiffLine("add", b[j]));
        }
        else
        {
            // lcs[i, j] = length of the LCS of a[start+i..endA) and b[start+j..endB).
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
                for (var j = m - 1; j >= 0; j--)
                    lcs[i, j] = a[start + i] == b[start + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            int x = 0, y = 0;
            while (x < n && y < m)
            {
                if (a[start + x] == b[start + y]) { result.Add(new DiffLine("same", a[start + x])); x++; y++; }
                else if (lcs[x + 1, y] >= lcs[x, y + 1]) { result.Add(new DiffLine("remove", a[start + x])); x++; }
                else { result.Add(new DiffLine("add", b[start + y])); y++; }
            }
            for (; x < n; x++) result.Add(new DiffLine("remove", a[start + x]));
            for (; y < m; y++) result.Add(new DiffLine("add", b[start + y]));
        }
        for (var i = endA; i < a.Length; i++) result.Add(new DiffLine("same", a[i]));
        return result;
    }

    static string[] Split(string text) =>
        text.Length == 0 ? [] : text.Replace("\r\n", "\n").Split('\n');
}
