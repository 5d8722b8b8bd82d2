using System;
using System.ComponentModel;

namespace Sidecar
{
    /// <summary>
    /// The deadline of one call (<see cref="SidecarAttribute.TotalTimeout"/>): when it was started on the pipeline's
    /// monotonic clock, and how long the call may take. <c>default</c> is no deadline. Created by
    /// <see cref="SidecarPipeline.StartCall"/>; generated code hands it to each attempt and retry decision of the call.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct CallDeadline
    {
        private readonly long _started; // TimeProvider.GetTimestamp() when the call started

        internal CallDeadline(long started, TimeSpan total)
        {
            _started = started;
            Total = total;
        }

        /// <summary>Whether the call has a deadline.</summary>
        public bool IsSet => Total > TimeSpan.Zero;

        /// <summary>How long the whole call may take.</summary>
        internal TimeSpan Total { get; }

        /// <summary>The time left before the deadline on <paramref name="time"/> (zero once it has passed); infinite without one.</summary>
        internal TimeSpan Remaining(TimeProvider time)
        {
            if (!IsSet)
            {
                return System.Threading.Timeout.InfiniteTimeSpan;
            }

            TimeSpan left = Total - time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }
}
