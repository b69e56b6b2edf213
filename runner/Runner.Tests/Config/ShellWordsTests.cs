using Runner.Config;

namespace Runner.Tests.Config;

public class ShellWordsTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  -m   64 ", new[] { "-m", "64" })]
    [InlineData("-cpu 'host,+x2apic'", new[] { "-cpu", "host,+x2apic" })]
    [InlineData("-append \"a=1 b=2\"", new[] { "-append", "a=1 b=2" })]
    [InlineData("\"say \\\"hi\\\"\"", new[] { "say \"hi\"" })]
    [InlineData("'a'\"b\"c", new[] { "abc" })]
    [InlineData("a\\ b", new[] { "a b" })]
    [InlineData("''", new[] { "" })]
    [InlineData("'$HOME' \"\\n\"", new[] { "$HOME", "\\n" })]
    public void SplitsLikeAShell(string input, string[] expected)
    {
        Assert.Equal(expected, ShellWords.Split(input));
    }

    [Theory]
    [InlineData("'open")]
    [InlineData("\"open")]
    [InlineData("trailing\\")]
    public void RejectsUnfinishedQuoting(string input)
    {
        Assert.Throws<FormatException>(() => ShellWords.Split(input));
    }
}
