using System;
using System.Threading;
using System.Threading.Tasks;

// Interfaces whose sidecars the generator writes while this test project builds; the tests below call them.
namespace Sidecar.Generators.Tests.Behaviour
{
    [Sidecar(Retries = 3, Delay = 100)]
    public interface IFlakyService
    {
        int Get(int id);

        void Fire();

        int GetWithToken(int id, CancellationToken cancellationToken);

        Task<int> GetAsync(int id, CancellationToken cancellationToken = default);

        Task SaveAsync(CancellationToken cancellationToken = default);

        ValueTask<int> GetValueAsync(int id);

        [PassThrough]
        int Once();

        [Sidecar(Retries = 6)]
        int Persistent();

        [Sidecar(RetryOn = new[] { typeof(TimeoutException) })]
        int OnlyTimeouts();

        [Sidecar(Delay = 0, NeverRetryOn = new[] { typeof(ArgumentException) })]
        int NeverArguments();

        bool TryFind(string key, out string value);

        void Bump(ref int counter);
    }

    public interface IBackoffs
    {
        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Constant)]
        int Constant();

        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Linear)]
        int Linear();

        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Exponential)]
        int Exponential();

        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Exponential, MaxDelay = 250)]
        int Capped();

        int NotDecorated();

        /// <summary>A default interface member: the sidecar forwards it to the inner instance like any other.</summary>
        [Sidecar(Retries = 1, Delay = 0)]
        int Doubled() => NotDecorated() * 2;
    }

    [Sidecar(Retries = 0, FailureThreshold = 3, BreakDuration = 1000)]
    public interface IBreakerService
    {
        int Call();

        Task<int> CallAsync(CancellationToken cancellationToken = default);
    }

    /// <summary>An interface the user does not own.</summary>
    public interface IExternalClient
    {
        string Fetch(string path);

        string Describe();
    }

    [Sidecar(Retries = 2, Delay = 0)]
    public partial class ResilientExternalClient : IExternalClient
    {
        /// <summary>Written by hand: the generator must leave it alone.</summary>
        public string Describe() => "hand-written";
    }
}

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>An interface nested in a generic type: its sidecar is generated inside the same partial type.</summary>
    public partial class Cache<TKey>
        where TKey : notnull
    {
        [Sidecar(Retries = 2, Delay = 0)]
        public interface IStore
        {
            string Get(TKey key);
        }
    }
}
