// Compiled into the runtime and, linked, into the generator and the code fixes (internal there), beside the knob catalogue.
#if SIDECAR_ANALYZER
namespace Sidecar.Generators.Catalogue
#else
namespace Sidecar
#endif
{
    /// <summary>How the delay before a retry grows with the retry number.</summary>
#if SIDECAR_ANALYZER
    internal
#else
    public
#endif
    enum Backoff
    {
        /// <summary>Every retry waits <c>Delay</c>.</summary>
        Constant = 0,

        /// <summary>Retry <i>n</i> waits <c>Delay × n</c> (the classic sidecar rule).</summary>
        Linear = 1,

        /// <summary>Retry <i>n</i> waits <c>Delay × 2^(n-1)</c>.</summary>
        Exponential = 2,
    }
}
