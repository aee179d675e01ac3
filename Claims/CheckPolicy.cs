namespace LoopedIcl.Claims;

/// <summary>The statistical policy every check follows (CLAIMS.md, "What a verdict means").</summary>
public static class CheckPolicy
{
    /// <summary>The false-alarm probability of every stochastic check: a true claim fails it with probability at most this.</summary>
    public const double FalseAlarm = 1e-6;
}
