using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// Thrown, without touching the inner instance, when a service already runs as many calls as its bulkhead
    /// (<see cref="SidecarAttribute.MaxConcurrency"/>) allows. Never retried; a fallback answers it.
    /// </summary>
    public sealed class BulkheadRejectedException : SidecarRejectedException
    {
        /// <summary>Creates the exception.</summary>
        public BulkheadRejectedException(string bulkheadName, int maxConcurrency)
        {
            BulkheadName = bulkheadName;
            MaxConcurrency = maxConcurrency;
        }

        /// <inheritdoc/>
        public override string Message => string.Format(
            CultureInfo.InvariantCulture,
            "The bulkhead '{0}' is full: {1} calls are already running (MaxConcurrency = {1}), so the call was not made. Try again later, or raise MaxConcurrency.",
            BulkheadName,
            MaxConcurrency);

        /// <summary>The bulkhead that refused the call (the decorated service).</summary>
        public string BulkheadName { get; }

        /// <summary>Calls the bulkhead lets run at once.</summary>
        public int MaxConcurrency { get; }
    }
}
