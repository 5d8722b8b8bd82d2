namespace Sidecar
{
    /// <summary>How the delay before a retry grows with the retry number.</summary>
    public enum Backoff
    {
        /// <summary>Every retry waits <c>Delay</c>.</summary>
        Constant = 0,

        /// <summary>Retry <i>n</i> waits <c>Delay × n</c> (the classic sidecar rule).</summary>
        Linear = 1,

        /// <summary>Retry <i>n</i> waits <c>Delay × 2^(n-1)</c>.</summary>
        Exponential = 2,
    }
}
