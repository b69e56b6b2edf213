namespace Runner;

/// <summary>
/// Bad input from the person running the tool (a typo in a config file, a missing
/// image, an unknown test). The CLI prints only the message, never a stack trace,
/// so the message must name the problem and the fix on one line.
/// </summary>
public class UserErrorException(string message) : Exception(message);
