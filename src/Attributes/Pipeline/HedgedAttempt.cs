using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;

namespace Sidecar
{
    /// <summary>
    /// What one hedged round of attempts (<see cref="SidecarAttribute.Hedging"/>) ended with: the attempt that speaks for
    /// it — the first whose outcome was not <see cref="Outcome.Transient"/>, else the last to fail — and the permit that
    /// attempt holds, which the retry loop gives its verdict on like any attempt's. The other attempts of the round have
    /// been settled by the pipeline. Generated code reads it; users never need it.
    /// </summary>
    /// <typeparam name="T">The member's result type (<see cref="object"/> for a member without one).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct HedgedAttempt<T>
    {
        private readonly T _result;
        private readonly ExceptionDispatchInfo? _failure;

        internal HedgedAttempt(CircuitPermit permit, T result, Exception? failure, Outcome? outcome)
        {
            Permit = permit;
            _result = result;
            _failure = failure is null ? null : ExceptionDispatchInfo.Capture(failure);
            Outcome = outcome;
        }

        /// <summary>The permit of the attempt that speaks for the round.</summary>
        public CircuitPermit Permit { get; }

        /// <summary>
        /// How the round classified the attempt's result or exception, so that the retry loop need not ask <c>Classify</c>
        /// again; <c>null</c> when the member's <c>Classify</c> threw (the retry loop then classifies it again and ends the
        /// call with the classifier's exception).
        /// </summary>
        public Outcome? Outcome { get; }

        /// <summary>The attempt's result; rethrows its exception, with its stack trace, when it failed.</summary>
        public T GetResult()
        {
            _failure?.Throw();
            return _result;
        }
    }
}
