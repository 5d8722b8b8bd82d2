using System;
using System.Linq;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Generated sidecars, compiled with this project, really retry.</summary>
    public class RetryTests
    {
        private readonly SteppingClock _time = new() { AutoAdvance = true };
        private readonly RecordingObserver _observer = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), Observer = _observer };

        private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

        [Fact]
        public void An_interface_nested_in_a_generic_type_is_decorated_by_a_sidecar_nested_beside_it()
        {
            int calls = 0;
            var inner = new Store(key => ++calls < 3 ? throw new ConnectionError("down") : "value of " + key);
            Cache<Guid>.IStore sidecar = new Cache<Guid>.StoreSidecar(inner, Options);

            Guid key = Guid.Empty;
            Assert.Equal("value of " + key, sidecar.Get(key));
            Assert.Equal(3, calls); // Retries = 2
            Assert.Equal("Sidecar.Generators.Tests.Behaviour.Cache<TKey>.IStore", Cache<Guid>.StoreSidecar.CircuitName);
        }

        private sealed class Store : Cache<Guid>.IStore
        {
            private readonly Func<Guid, string> _get;

            public Store(Func<Guid, string> get) => _get = get;

            public string Get(Guid key) => _get(key);
        }

        [Fact]
        public void Sync_call_is_retried_until_it_succeeds_with_linear_delays()
        {
            var inner = new FlakyService(failures: 2);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.Equal(7, sidecar.Get(7));
            Assert.Equal(3, inner.Calls);
            Assert.Equal(new[] { Ms(100), Ms(200) }, _time.RequestedDelays);
            Assert.Equal(new[] { (1, true, Ms(100)), (2, true, Ms(200)) }, _observer.Failures.ToArray());
        }

        [Fact]
        public void Void_call_is_retried()
        {
            var inner = new FlakyService(failures: 1);
            new FlakyServiceSidecar(inner, Options).Fire();
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public void Exhausted_retries_rethrow_the_last_exception_with_its_original_stack_trace()
        {
            var inner = new FlakyService(failures: 100);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            var thrown = Assert.Throws<ConnectionError>(() => sidecar.Get(1));

            Assert.Equal(4, inner.Calls); // the first attempt and 3 retries
            Assert.Same(inner.Thrown.Last(), thrown);
            Assert.Contains(nameof(FlakyService) + ".Attempt", thrown.StackTrace);
            Assert.Equal(new[] { true, true, true, false }, _observer.Failures.Select(f => f.WillRetry));
        }

        [Fact]
        public async Task Async_exhausted_retries_rethrow_the_last_exception_instance()
        {
            var inner = new FlakyService(failures: 100) { TrulyAsync = true };
            var sidecar = new FlakyServiceSidecar(inner, Options);

            var thrown = await Assert.ThrowsAsync<ConnectionError>(() => sidecar.GetAsync(1));

            Assert.Equal(4, inner.Calls);
            Assert.Same(inner.Thrown.Last(), thrown);
            Assert.Contains(nameof(FlakyService) + ".Attempt", thrown.StackTrace);
        }

        [Theory]
        [InlineData(nameof(IBackoffs.Constant), new double[] { 100, 100, 100, 100 })]
        [InlineData(nameof(IBackoffs.Linear), new double[] { 100, 200, 300, 400 })]
        [InlineData(nameof(IBackoffs.Exponential), new double[] { 100, 200, 400, 800 })]
        [InlineData(nameof(IBackoffs.Capped), new double[] { 100, 200, 250, 250 })]
        public void Delays_follow_the_backoff(string method, double[] expectedMs)
        {
            var inner = new FlakyService(failures: 4);
            IBackoffs sidecar = new BackoffsSidecar(inner, Options);

            int result = method switch
            {
                nameof(IBackoffs.Constant) => sidecar.Constant(),
                nameof(IBackoffs.Linear) => sidecar.Linear(),
                nameof(IBackoffs.Exponential) => sidecar.Exponential(),
                _ => sidecar.Capped(),
            };

            Assert.True(result > 0);
            Assert.Equal(5, inner.Calls);
            Assert.Equal(expectedMs.Select(Ms), _time.RequestedDelays);
        }

        [Fact]
        public void Method_without_its_own_attribute_on_an_undecorated_interface_is_forwarded_untouched()
        {
            var inner = new FlakyService(failures: 1);
            IBackoffs sidecar = new BackoffsSidecar(inner, Options);

            Assert.Throws<ConnectionError>(() => sidecar.NotDecorated());
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public void Default_interface_member_is_forwarded_to_the_inner_instance_and_retried()
        {
            var inner = new FlakyService(failures: 1);
            IBackoffs sidecar = new BackoffsSidecar(inner, Options);

            Assert.Equal(10, sidecar.Doubled()); // the inner's (default) implementation ran, after one retry
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public async Task Task_of_T_is_retried_when_the_failure_is_synchronous()
        {
            var inner = new FlakyService(failures: 2);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.Equal(5, await sidecar.GetAsync(5));
            Assert.Equal(3, inner.Calls);
            Assert.Equal(new[] { Ms(100), Ms(200) }, _time.RequestedDelays);
        }

        [Fact]
        public async Task Task_of_T_is_retried_when_the_failure_is_asynchronous()
        {
            var inner = new FlakyService(failures: 2) { TrulyAsync = true };
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.Equal(5, await sidecar.GetAsync(5));
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public async Task Task_and_ValueTask_members_are_retried()
        {
            var inner = new FlakyService(failures: 1);
            var sidecar = new FlakyServiceSidecar(inner, Options);
            await sidecar.SaveAsync();
            Assert.Equal(2, inner.Calls);

            inner.SetFailures(2);
            Assert.Equal(9, await sidecar.GetValueAsync(9));
            Assert.Equal(5, inner.Calls);

            inner.TrulyAsync = true;
            inner.SetFailures(1);
            Assert.Equal(8, await sidecar.GetValueAsync(8));
            Assert.Equal(7, inner.Calls);
        }

        [Fact]
        public void Happy_path_returns_the_inner_task_itself()
        {
            var inner = new FlakyService();
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Task<int> task = sidecar.GetAsync(3);

            Assert.Same(inner.LastTask, task);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public void PassThrough_member_is_called_once_even_when_it_fails()
        {
            var inner = new FlakyService(failures: 1);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.Throws<ConnectionError>(() => sidecar.Once());
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public void Method_attribute_overrides_the_type_settings()
        {
            var inner = new FlakyService(failures: 6);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.Equal(6, sidecar.Persistent());
            Assert.Equal(7, inner.Calls); // 6 retries instead of the type's 3
            Assert.Equal(new[] { 100d, 200, 300, 400, 500, 600 }, _time.RequestedDelays.Select(d => d.TotalMilliseconds)); // Delay inherited
        }

        [Fact]
        public void RetryOn_limits_retries_to_the_listed_exceptions_and_their_subclasses()
        {
            var inner = new FlakyService(failures: 1);
            var sidecar = new FlakyServiceSidecar(inner, Options);
            Assert.Throws<ConnectionError>(() => sidecar.OnlyTimeouts());
            Assert.Equal(1, inner.Calls);

            inner.Failure = () => new System.Net.Sockets.SocketException(); // not a TimeoutException
            inner.SetFailures(1);
            Assert.Throws<System.Net.Sockets.SocketException>(() => sidecar.OnlyTimeouts());
            Assert.Equal(2, inner.Calls);

            inner.Failure = () => new RegexTimeout();
            inner.SetFailures(2);
            Assert.Equal(7, sidecar.OnlyTimeouts());
            Assert.Equal(5, inner.Calls);
        }

        [Fact]
        public void NeverRetryOn_exceptions_and_their_subclasses_are_not_retried()
        {
            var inner = new FlakyService(failures: 1) { Failure = () => new ArgumentNullException("id") };
            var sidecar = new FlakyServiceSidecar(inner, Options);
            Assert.Throws<ArgumentNullException>(() => sidecar.NeverArguments());
            Assert.Equal(1, inner.Calls);

            inner.Failure = () => new ConnectionError("reset");
            inner.SetFailures(2);
            Assert.Equal(8, sidecar.NeverArguments());
            Assert.Equal(4, inner.Calls);
        }

        private sealed class RegexTimeout : TimeoutException
        {
        }

        [Fact]
        public void Out_and_ref_parameters_are_forwarded_on_every_attempt()
        {
            var inner = new FlakyService(failures: 1);
            var sidecar = new FlakyServiceSidecar(inner, Options);

            Assert.True(sidecar.TryFind("key", out string value));
            Assert.Equal("key!", value);

            int counter = 0;
            inner.SetFailures(2);
            sidecar.Bump(ref counter);
            Assert.Equal(3, counter); // the inner saw the same variable on each of the 3 attempts
        }

        [Fact]
        public void Class_form_forwards_missing_members_and_keeps_hand_written_ones()
        {
            var inner = new FlakyService(failures: 2);
            IExternalClient client = new ResilientExternalClient(inner, Options);

            Assert.Equal("a:1", client.Fetch("a"));
            Assert.Equal(3, inner.Calls);
            Assert.Equal("hand-written", client.Describe());
        }

        [Fact]
        public void Null_inner_is_rejected()
        {
            Assert.Throws<ArgumentNullException>(() => new FlakyServiceSidecar(null!));
        }
    }
}
