using System;
using Sidecar;

namespace SidecarDemo
{
    /// <summary>A remote call that times out more often than not.</summary>
    [Sidecar(Retries = 5, Delay = 50, Backoff = Backoff.Linear)]
    public interface IUnstableService
    {
        string Call(int requestId);
    }

    public sealed class ConnectionError : Exception
    {
        public ConnectionError(string message)
            : base(message)
        {
        }
    }

    /// <summary>Fails about 60 % of the time. The seed is fixed so that every run tells the same story.</summary>
    public sealed class UnstableService : IUnstableService
    {
        private readonly Random _random = new(Seed: 42);

        public string Call(int requestId)
        {
            if (_random.NextDouble() < 0.6)
            {
                throw new ConnectionError($"Request {requestId} timed out");
            }

            return $"Response to request {requestId}";
        }
    }
}
