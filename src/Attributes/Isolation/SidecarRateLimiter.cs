using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace Sidecar
{
    /// <summary>
    /// The limiter of <see cref="SidecarAttribute.RateLimit"/>: a sliding log of the last <see cref="PermitLimit"/> permits,
    /// so that no span of <see cref="Window"/> ever holds more than <see cref="PermitLimit"/> of them — however the attempts
    /// bunch at a window's edge, where a fixed window or a token bucket lets twice the limit through. It never queues: a
    /// permit is granted at once or refused with the time until one frees up (<see cref="MetadataName.RetryAfter"/>). Time is
    /// the <see cref="TimeProvider"/>'s monotonic timestamp, like every other decision of a sidecar; the BCL's own limiters
    /// read <c>Stopwatch</c> and run their own timer, which <c>FakeTimeProvider</c> cannot drive. It is a
    /// <see cref="RateLimiter"/>, so it chains with others (<c>PartitionedRateLimiter.CreateChained</c>). Shared by every
    /// decorator of a service through <see cref="CircuitBreakerRegistry"/>; memory is 8 bytes per permit.
    /// </summary>
    public sealed class SidecarRateLimiter : RateLimiter
    {
        private static readonly RateLimitLease s_granted = new Lease(true, null);
        private static readonly RateLimitLease s_refusedForGood = new Lease(false, null);

        private readonly long[] _grants; // timestamps of the last grants, a ring; _next is the oldest once it is full
        private readonly TimeProvider _time;
        private readonly object _gate = new();
        private int _next;
        private int _count;
        private long _successful;
        private long _failed;
        private bool _disposed;

        /// <summary>Creates a limiter that grants at most <paramref name="permitLimit"/> permits in any <paramref name="window"/>.</summary>
        /// <param name="name">Its name (the decorated service), for exceptions and telemetry.</param>
        /// <param name="permitLimit">Permits in any window; at least 1.</param>
        /// <param name="window">The length of the window; longer than zero.</param>
        /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
        public SidecarRateLimiter(string name, int permitLimit, TimeSpan window, TimeProvider? timeProvider = null)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            PermitLimit = permitLimit > 0 ? permitLimit : throw new ArgumentOutOfRangeException(nameof(permitLimit), permitLimit, "A rate limit needs at least one permit.");
            Window = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window), window, "A rate limit's window must be longer than zero.");
            _time = timeProvider ?? TimeProvider.System;
            _grants = new long[permitLimit];
        }

        /// <summary>The limiter's name (the decorated service).</summary>
        public string Name { get; }

        /// <summary>Permits granted at most in any <see cref="Window"/>.</summary>
        public int PermitLimit { get; }

        /// <summary>The window the limit applies to.</summary>
        public TimeSpan Window { get; }

        /// <inheritdoc/>
        public override TimeSpan? IdleDuration
        {
            get
            {
                lock (_gate)
                {
                    if (_count == 0)
                    {
                        return TimeSpan.MaxValue;
                    }

                    TimeSpan since = _time.GetElapsedTime(Newest(0));
                    return since >= Window ? since : null;
                }
            }
        }

        /// <inheritdoc/>
        public override RateLimiterStatistics? GetStatistics()
        {
            lock (_gate)
            {
                return new RateLimiterStatistics
                {
                    CurrentAvailablePermits = Available(_time.GetTimestamp()),
                    CurrentQueuedCount = 0,
                    TotalSuccessfulLeases = _successful,
                    TotalFailedLeases = _failed,
                };
            }
        }

        /// <inheritdoc/>
        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            if (permitCount < 0 || permitCount > PermitLimit)
            {
                throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "Between 0 and the permit limit (" + PermitLimit + ") permits can be asked for.");
            }

            long now = _time.GetTimestamp();
            lock (_gate)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(SidecarRateLimiter));
                }

                if (permitCount == 0)
                {
                    return Available(now) > 0 ? s_granted : Refused(now, 1);
                }

                if (Available(now) < permitCount)
                {
                    _failed++;
                    return Refused(now, permitCount);
                }

                for (int i = 0; i < permitCount; i++)
                {
                    _grants[_next] = now;
                    _next = (_next + 1) % _grants.Length;
                    if (_count < _grants.Length)
                    {
                        _count++;
                    }
                }

                _successful++;
                return s_granted;
            }
        }

        /// <inheritdoc/>
        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            // No queue: an attempt over the limit fails at once, so that a caller never waits behind a quota in the dark.
            if (cancellationToken.IsCancellationRequested)
            {
                return new ValueTask<RateLimitLease>(Task.FromCanceled<RateLimitLease>(cancellationToken));
            }

            return new ValueTask<RateLimitLease>(AttemptAcquireCore(permitCount));
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            lock (_gate)
            {
                _disposed = true;
            }
        }

        // Under the lock: permits free now (grants older than the window no longer count).
        private int Available(long now) => PermitLimit - InWindow(now);

        // Under the lock: how many of the grants still count, newest first, stopping at the first too old.
        private int InWindow(long now)
        {
            int inWindow = 0;
            while (inWindow < _count && _time.GetElapsedTime(Newest(inWindow), now) < Window)
            {
                inWindow++;
            }

            return inWindow;
        }

        // Under the lock: the grant `offset` places before the newest (0: the newest).
        private long Newest(int offset) => _grants[(_next + _grants.Length - 1 - offset) % _grants.Length];

        // Under the lock: a refusal that says when `permits` permits will be free: when the grant that must age out last
        // leaves the window.
        private RateLimitLease Refused(long now, int permits)
        {
            if (permits > PermitLimit)
            {
                return s_refusedForGood;
            }

            int inWindow = InWindow(now);
            int mustAgeOut = permits - (PermitLimit - inWindow);
            long grant = Newest(inWindow - mustAgeOut);
            TimeSpan wait = Window - _time.GetElapsedTime(grant, now);
            return new Lease(false, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }

        private sealed class Lease : RateLimitLease
        {
            private static readonly string[] s_retryAfter = { MetadataName.RetryAfter.Name };
            private readonly TimeSpan? _retryAfter;

            public Lease(bool acquired, TimeSpan? retryAfter)
            {
                IsAcquired = acquired;
                _retryAfter = retryAfter;
            }

            public override bool IsAcquired { get; }

            public override IEnumerable<string> MetadataNames => _retryAfter is null ? Array.Empty<string>() : s_retryAfter;

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                if (_retryAfter is TimeSpan wait && metadataName == MetadataName.RetryAfter.Name)
                {
                    metadata = wait;
                    return true;
                }

                metadata = null;
                return false;
            }
        }
    }
}
