using Chorus.Server.Features.Admin;

namespace Chorus.Tests.Admin;

public sealed class CsvReaderTests
{
    static List<CsvRecord> Read(string text) => CsvReader.Read(new StringReader(text)).ToList();

    static string[][] Fields(string text) => Read(text).Select(r => r.Fields.ToArray()).ToArray();

    public static TheoryData<string, string[][]> Cases => new()
    {
        { "a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]] },
        { "a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]] },
        { "a,b\r1,2", [["a", "b"], ["1", "2"]] },
        { "a,b\n1,2", [["a", "b"], ["1", "2"]] },
        { "\"x, y\",z\n", [["x, y", "z"]] },
        { "\"she said \"\"hi\"\"\",2\n", [["she said \"hi\"", "2"]] },
        { "\"line one\r\nline two\",2\n", [["line one\r\nline two", "2"]] },
        { "\"\",\"\"\n", [["", ""]] },
        { "a,,c,\n", [["a", "", "c", ""]] },
        { "a\n\n\r\nb\n", [["a"], ["b"]] },
        { "\uFEFFhandle,name\n", [["handle", "name"]] },
        { "ab\"c,d\n", [["ab\"c", "d"]] },
        { " spaced , kept \n", [[" spaced ", " kept "]] },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Reads_rfc_4180(string text, string[][] expected) => Assert.Equal(expected, Fields(text));

    [Fact]
    public void Line_numbers_are_where_each_record_starts_counting_line_breaks_inside_quotes()
    {
        var records = Read("h\r\n\"two\r\nlines\"\r\n\r\nnext\n\"a\nb\nc\"\nlast");
        Assert.Equal([1, 2, 5, 6, 9], records.Select(r => r.Line));
    }

    [Fact]
    public void A_quoted_field_that_never_closes_is_an_error_naming_its_line()
    {
        var e = Assert.Throws<CsvFormatException>(() => Read("h\nok\n\"never closed,\nmore\n"));
        Assert.Equal(3, e.Line);
    }
}
