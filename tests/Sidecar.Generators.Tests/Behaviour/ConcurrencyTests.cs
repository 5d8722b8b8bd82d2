using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    public class ConcurrencyTests
    {
        [Fact]
        public async Task Parallel_calls_each_get_their_own_retries_and_every_attempt_is_accounted_for()
        {
            var inner = new ParityService();
            var sidecar = new FlakyServiceSidecar(inner, new SidecarOptions
            {
                TimeProvider = new SteppingClock { AutoAdvance = true },
                CircuitBreakers = new CircuitBreakerRegistry(),
            });

            var calls = new Task<int>[2000];
            Parallel.For(0, calls.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => calls[i] = sidecar.GetAsync(i));
            int[] results = await Task.WhenAll(calls);

            for (int i = 0; i < results.Length; i++)
            {
                Assert.Equal(i, results[i]);
            }

            // Odd ids fail on their first attempt only: one retry each.
            Assert.Equal(calls.Length + (calls.Length / 2), inner.Attempts);
        }

        /// <summary>Fails the first attempt for every odd id, from any thread.</summary>
        private sealed class ParityService : IFlakyService
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _seen = new();
            private int _attempts;

            public int Attempts => Volatile.Read(ref _attempts);

            public Task<int> GetAsync(int id, CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref _attempts);
                int attempt = _seen.AddOrUpdate(id, 1, (_, n) => n + 1);
                return id % 2 == 1 && attempt == 1
                    ? FailLater()
                    : Task.FromResult(id);
            }

            private static async Task<int> FailLater()
            {
                await Task.Yield();
                throw new ConnectionError("odd");
            }

            public int Get(int id) => throw new System.NotSupportedException();

            public void Fire() => throw new System.NotSupportedException();

            public int GetWithToken(int id, CancellationToken cancellationToken) => throw new System.NotSupportedException();

            public Task SaveAsync(CancellationToken cancellationToken = default) => throw new System.NotSupportedException();

            public ValueTask<int> GetValueAsync(int id) => throw new System.NotSupportedException();

            public int Once() => throw new System.NotSupportedException();

            public int Persistent() => throw new System.NotSupportedException();

            public int OnlyTimeouts() => throw new System.NotSupportedException();

            public int NeverArguments() => throw new System.NotSupportedException();

            public bool TryFind(string key, out string value) => throw new System.NotSupportedException();

            public void Bump(ref int counter) => throw new System.NotSupportedException();
        }
    }
}
