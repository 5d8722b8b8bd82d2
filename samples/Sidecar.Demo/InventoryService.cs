using System;
using System.Threading;
using System.Threading.Tasks;
using Sidecar;

namespace SidecarDemo
{
    /// <summary>A dependency that goes down for a while: after 3 failures in a row, stop calling it for 3 seconds.</summary>
    [Sidecar(Retries = 0, FailureThreshold = 3, BreakDuration = 3000)]
    public interface IInventoryService
    {
        Task<int> GetStockAsync(string sku, CancellationToken cancellationToken = default);
    }

    /// <summary>Unreachable until <paramref name="backAt"/> on <paramref name="clock"/>; counts the calls that reach it.</summary>
    public sealed class InventoryService(TimeProvider clock, DateTimeOffset backAt) : IInventoryService
    {
        public int Calls { get; private set; }

        public Task<int> GetStockAsync(string sku, CancellationToken cancellationToken = default)
        {
            Calls++;
            if (clock.GetUtcNow() < backAt)
            {
                return Task.FromException<int>(new ConnectionError("Inventory database unreachable"));
            }

            return Task.FromResult(42);
        }
    }
}
