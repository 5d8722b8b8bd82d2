using System;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>A clock that never moves, so an open circuit stays open for the whole open-circuit benchmark.</summary>
    public sealed class FrozenTimeProvider : TimeProvider
    {
        private readonly DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <inheritdoc/>
        public override DateTimeOffset GetUtcNow() => _now;

        /// <inheritdoc/>
        /// <remarks>Durations are measured on the timestamp: it is frozen too.</remarks>
        public override long GetTimestamp() => _now.UtcTicks;

        /// <inheritdoc/>
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
