using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A dependency with a quota of three attempts a second, retries included.</summary>
    [Sidecar(Retries = 2, Delay = 0, RateLimit = 3, RateLimitWindow = 1000)]
    public interface IQuotaService
    {
        Task<int> GetAsync(int id);

        int Get(int id);

        [Sidecar(Fallback = "Queued")]
        int Submit(int id);

        [Sidecar(Fallback = "Queued")]
        Task<int> SubmitAsync(int id);
    }

    public partial class QuotaServiceSidecar
    {
        private int Queued(int id, System.Exception exception) => exception is RateLimitRejectedException ? -id : 0;

        private Task<int> Queued(int id) => Task.FromResult(-id);
    }

    /// <summary>A limiter that refuses every permit and counts how often it was asked (a chained limiter spends on each ask).</summary>
    public sealed class RefusingLimiter : System.Threading.RateLimiting.RateLimiter
    {
        private int _asked;

        public int Asked => _asked;

        public override System.TimeSpan? IdleDuration => null;

        public override System.Threading.RateLimiting.RateLimiterStatistics? GetStatistics() => null;

        protected override System.Threading.RateLimiting.RateLimitLease AttemptAcquireCore(int permitCount)
        {
            if (permitCount > 0)
            {
                System.Threading.Interlocked.Increment(ref _asked);
            }

            return new Refused();
        }

        protected override ValueTask<System.Threading.RateLimiting.RateLimitLease> AcquireAsyncCore(int permitCount, System.Threading.CancellationToken cancellationToken)
            => new(AttemptAcquireCore(permitCount));

        private sealed class Refused : System.Threading.RateLimiting.RateLimitLease
        {
            public override bool IsAcquired => false;

            public override System.Collections.Generic.IEnumerable<string> MetadataNames => System.Array.Empty<string>();

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }

    /// <summary>Fails the next <see cref="Failures"/> attempts, then answers; counts attempts.</summary>
    public sealed class QuotaService : IQuotaService
    {
        public int Calls { get; private set; }

        public int Failures { get; set; }

        private int Attempt(int id)
        {
            Calls++;
            if (Failures > 0)
            {
                Failures--;
                throw new ConnectionError("busy");
            }

            return id;
        }

        public Task<int> GetAsync(int id)
        {
            try
            {
                return Task.FromResult(Attempt(id));
            }
            catch (System.Exception ex)
            {
                return Task.FromException<int>(ex);
            }
        }

        public int Get(int id) => Attempt(id);

        public int Submit(int id) => Attempt(id);

        public Task<int> SubmitAsync(int id) => GetAsync(id);
    }
}
