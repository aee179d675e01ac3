using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>INPUT's check, shared by every fixture: bad input raises an ArgumentException (or a subclass) naming the parameter and stating the rule.</summary>
public static class Refusals
{
    /// <summary>The call must refuse with <paramref name="parameter"/> as ParamName and <paramref name="rule"/> in the message; returns the refusal.</summary>
    public static ArgumentException Rejects(Action call, string parameter, string rule = "")
    {
        var ex = Assert.Catch<ArgumentException>(() => call());
        Checks.True(ex!.ParamName == parameter, $"the error names '{parameter}' (got '{ex.ParamName}': {ex.Message})");
        Checks.True(ex.Message.Contains(rule, StringComparison.Ordinal), $"the error states the rule '{rule}' ({ex.Message})");
        return ex;
    }
}
