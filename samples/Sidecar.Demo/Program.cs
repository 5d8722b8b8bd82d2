using System;
using Sidecar;
using SidecarDemo;

// Part 1: a flaky dependency behind retries with linear backoff (50 ms, 100 ms, 150 ms, ...).
var clock = new DemoClock();
var options = new SidecarOptions { TimeProvider = clock, Observer = new ConsoleObserver() };
IUnstableService service = new UnstableServiceSidecar(new UnstableService(), options);

Console.WriteLine("Part 1: retries. [Sidecar(Retries = 5, Delay = 50, Backoff = Backoff.Linear)]");
Console.WriteLine();
for (int requestId = 1; requestId <= 5; requestId++)
{
    Console.WriteLine($"Request {requestId}");
    DateTimeOffset start = clock.GetUtcNow();
    try
    {
        Console.WriteLine($"  Result: {service.Call(requestId)}");
    }
    catch (ConnectionError error)
    {
        Console.WriteLine($"  Final failure: {error.Message}");
    }

    Console.WriteLine($"  Time spent waiting: {(clock.GetUtcNow() - start).TotalMilliseconds} ms");
    Console.WriteLine("---");
}

// Part 2: a dependency that is down for four seconds, behind a circuit breaker. One call a second.
clock = new DemoClock();
options = new SidecarOptions { TimeProvider = clock, Observer = new ConsoleObserver() };
DateTimeOffset backAt = clock.GetUtcNow().AddSeconds(4);
var database = new InventoryService(clock, backAt);
IInventoryService inventory = new InventoryServiceSidecar(database, options);

Console.WriteLine();
Console.WriteLine("Part 2: circuit breaker. [Sidecar(Retries = 0, FailureThreshold = 3, BreakDuration = 3000)]");
Console.WriteLine($"The inventory database is down until {backAt:HH:mm:ss}.");
Console.WriteLine();
const int calls = 7;
for (int second = 0; second < calls; second++)
{
    Console.WriteLine($"{clock.GetUtcNow():HH:mm:ss} GetStockAsync(\"B-42\")");
    try
    {
        Console.WriteLine($"  Result: {await inventory.GetStockAsync("B-42")} in stock");
    }
    catch (BrokenCircuitException error)
    {
        Console.WriteLine($"  Failed fast: {error.Message}");
    }
    catch (ConnectionError error)
    {
        Console.WriteLine($"  Final failure: {error.Message}");
    }

    Console.WriteLine("---");
    clock.Advance(TimeSpan.FromSeconds(1));
}

Console.WriteLine($"{database.Calls} of {calls} calls reached the inventory database; the others failed fast.");
