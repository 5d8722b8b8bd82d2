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
    /// decorator of a service through <see cref="CircuitBreakerRegistry"/>. Memory is 8 bytes per permit of the busiest
    /// window seen so far (the log grows with the traffic, never past the limit, and is kept); each decision is amortized
    /// constant time.
    /// </summary>
    public sealed class SidecarRateLimiter : RateLimiter
    {
        private static readonly RateLimitLease s_granted = new Lease(true, null);
        private static readonly RateLimitLease s_refusedForGood = new Lease(false, null);

        private readonly TimeProvider _time;
        private readonly object _gate = new();
        private long[] _grants = new long[4]; // timestamps of the grants still in the window, a ring from _head, oldest first
        private int _head;
        private int _count;
        private long _idleSince; // when the last grant left the window (the creation time before any grant)
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
            _idleSince = _time.GetTimestamp();
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
                    long now = _time.GetTimestamp();
                    Forget(now);
                    return _count == 0 ? _time.GetElapsedTime(_idleSince, now) : null;
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

            lock (_gate)
            {
                // Read under the lock, so that the log stays in order and a grant is stamped when it is made.
                long now = _time.GetTimestamp();
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(SidecarRateLimiter));
                }

                Forget(now);
                if (permitCount == 0)
                {
                    return _count < PermitLimit ? s_granted : Refused(now, 1);
                }

                if (PermitLimit - _count < permitCount)
                {
                    _failed++;
                    return Refused(now, permitCount);
                }

                Grow(_count + permitCount);
                for (int i = 0; i < permitCount; i++)
                {
                    _grants[(_head + _count) % _grants.Length] = now;
                    _count++;
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

        // Under the lock: permits free now.
        private int Available(long now)
        {
            Forget(now);
            return PermitLimit - _count;
        }

        // Under the lock: drops the grants that have left the window (oldest first; amortized constant time).
        private void Forget(long now)
        {
            while (_count > 0 && _time.GetElapsedTime(_grants[_head], now) >= Window)
            {
                if (_count == 1)
                {
                    _idleSince = _grants[_head] + (long)(Window.TotalSeconds * _time.TimestampFrequency);
                }

                _head = (_head + 1) % _grants.Length;
                _count--;
            }
        }

        // Under the lock: room for `needed` grants, doubling the ring (never past the limit) and keeping their order.
        private void Grow(int needed)
        {
            if (needed <= _grants.Length)
            {
                return;
            }

            var grown = new long[Math.Min(PermitLimit, Math.Max(needed, _grants.Length * 2))];
            for (int i = 0; i < _count; i++)
            {
                grown[i] = _grants[(_head + i) % _grants.Length];
            }

            _grants = grown;
            _head = 0;
        }

        // Under the lock, after Forget: a refusal that says when `permits` permits will be free: when the grant that must
        // age out last (the oldest ones go first) leaves the window.
        private RateLimitLease Refused(long now, int permits)
        {
            if (permits > PermitLimit)
            {
                return s_refusedForGood;
            }

            int mustAgeOut = permits - (PermitLimit - _count);
            long grant = _grants[(_head + mustAgeOut - 1) % _grants.Length];
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
