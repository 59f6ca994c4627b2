using System.Text;

namespace Chorus.Server.Features.Admin;

/// <summary>One CSV record and the physical line it starts on (1-based), so rejections can point into the file.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

public sealed class CsvFormatException(int line, string message) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// An RFC 4180 reader: quoted fields, doubled quotes, separators and line breaks inside quotes, CRLF, LF or CR endings.
/// It is lenient where spreadsheets are sloppy (a quote inside an unquoted field is kept as text) and strict only where
/// guessing would silently merge rows: a quoted field that never closes is an error. Blank lines are skipped.
/// </summary>
public static class CsvReader
{
    public static IEnumerable<CsvRecord> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var fieldWasQuoted = false;
        var first = true;
        int c;
        while ((c = reader.Read()) != -1)
        {
            // A BOM that reached us as text (a reader that did not strip it) is not part of the first column's name.
            if (first && c == '\uFEFF') { first = false; continue; }
            first = false;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else
                {
                    if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) line++;
                    field.Append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !fieldWasQuoted:
                    inQuotes = true;
                    fieldWasQuoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    fields.Add(field.ToString());
                    if (fields.Count > 1 || fields[0].Length > 0 || fieldWasQuoted) yield return new CsvRecord(recordLine, fields.ToArray());
                    fields.Clear();
                    field.Clear();
                    fieldWasQuoted = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
        if (inQuotes) throw new CsvFormatException(recordLine, "a quoted field is never closed.");
        if (fields.Count > 0 || field.Length > 0 || fieldWasQuoted)
        {
            fields.Add(field.ToString());
            yield return new CsvRecord(recordLine, fields.ToArray());
        }
    }
}
