namespace Sidecar
{
    /// <summary>Why a failed attempt was not tried again (<see cref="SidecarObserver.OnGaveUp"/>).</summary>
    public enum GiveUpReason
    {
        /// <summary>Every retry the policy allows (<see cref="SidecarAttribute.Retries"/>) was made.</summary>
        RetriesExhausted,

        /// <summary>The failure is not transient: classified <see cref="Outcome.Failure"/> (a timeout not in <c>RetryOn</c>, or <c>Classify</c> said so).</summary>
        NotTransient,

        /// <summary>The failure is the caller's, not the dependency's: classified <see cref="Outcome.Ignored"/> (<c>NeverRetryOn</c>, a 404).</summary>
        Ignored,

        /// <summary>The circuit is no longer closed (this failure may have opened it): a retry would be refused.</summary>
        CircuitOpen,

        /// <summary>The service's retry budget (<see cref="SidecarAttribute.RetryBudget"/>) is spent.</summary>
        RetryBudgetSpent,

        /// <summary>The call's deadline (<see cref="SidecarAttribute.TotalTimeout"/>) passed, or would before the retry could start.</summary>
        Deadline,

        /// <summary>The bulkhead (and its queue) would refuse the retry.</summary>
        BulkheadFull,

        /// <summary>The rate limit would refuse the retry (no permit frees up within its delay).</summary>
        RateLimited,

        /// <summary>The dependency asked to be left alone longer (<c>Retry-After</c>) than <see cref="SidecarAttribute.MaxDelay"/> allows.</summary>
        RetryAfterTooLong,

        /// <summary>The caller cancelled the call.</summary>
        Cancelled,

        /// <summary>The member's <c>Classify</c> method threw: a bug, whose exception ends the call.</summary>
        ClassifierFailed,
    }

    /// <summary>What each <see cref="GiveUpReason"/> says in a log line.</summary>
    public static class GiveUpReasons
    {
        /// <summary>"retries exhausted", "the circuit is open", "the caller cancelled", …: the end of "not retried: …".</summary>
        public static string Describe(GiveUpReason reason) => reason switch
        {
            GiveUpReason.RetriesExhausted => "retries exhausted",
            GiveUpReason.NotTransient => "not transient (failure)",
            GiveUpReason.Ignored => "not transient (ignored)",
            GiveUpReason.CircuitOpen => "the circuit is open",
            GiveUpReason.RetryBudgetSpent => "the retry budget is spent",
            GiveUpReason.Deadline => "the call's deadline",
            GiveUpReason.BulkheadFull => "the bulkhead is full",
            GiveUpReason.RateLimited => "the rate limit is spent",
            GiveUpReason.RetryAfterTooLong => "Retry-After is longer than MaxDelay",
            GiveUpReason.Cancelled => "the caller cancelled",
            GiveUpReason.ClassifierFailed => "Classify threw",
            _ => reason.ToString(),
        };
    }
}
