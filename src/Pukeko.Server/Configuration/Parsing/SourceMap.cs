namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Maps offsets in the preprocessed text (comments blanked, includes spliced in) back to file, line and column, so
/// JSON syntax errors point at what the operator wrote.
/// </summary>
internal sealed class SourceMap
{
    private readonly List<Segment> _segments = [];

    /// <summary>Output characters [OutputStart, OutputStart+Length) come 1:1 from <c>FileText</c> at FileOffset.</summary>
    private sealed record Segment(int OutputStart, int Length, string File, string FileText, int FileOffset);

    public void Add(int outputStart, int length, string file, string fileText, int fileOffset)
    {
        if (length > 0)
        {
            _segments.Add(new Segment(outputStart, length, file, fileText, fileOffset));
        }
    }

    /// <summary>1-based line and column of the character at <paramref name="outputOffset"/>.</summary>
    public (string File, int Line, int Column) Locate(int outputOffset)
    {
        Segment? found = null;
        foreach (var segment in _segments)
        {
            if (outputOffset >= segment.OutputStart)
            {
                found = segment;
            }
        }

        if (found is null)
        {
            return ("", 1, 1);
        }

        var fileOffset = Math.Min(found.FileOffset + (outputOffset - found.OutputStart), found.FileText.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < fileOffset; i++)
        {
            if (found.FileText[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (found.File, line, fileOffset - lineStart + 1);
    }
}
