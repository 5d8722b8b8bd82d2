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
    }

    public partial class QuotaServiceSidecar
    {
        private int Queued(int id, System.Exception exception) => exception is RateLimitRejectedException ? -id : 0;
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
    }
}
