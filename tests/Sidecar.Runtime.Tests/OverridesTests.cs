using System;
using System.Threading;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class OverridesTests
    {
        private const string Service = "Shop.IOrderService";
        private const string Simple = "IOrderService";
        private const string Get = "GetAsync";
        private const string List = "ListAsync";

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly SidecarOptions _options;

        public OverridesTests() => _options = new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry };

        [Fact]
        public void Without_overrides_the_pipeline_keeps_the_compiled_in_policy_instance()
        {
            var policy = new SidecarPolicy(Service, retries: 2);

            SidecarPipeline pipeline = Pipeline(policy);

            Assert.Same(policy, pipeline.Policy);
            Assert.Same(policy, pipeline.PolicyFor(Get));
        }

        [Fact]
        public void Overrides_of_other_services_leave_the_policy_instance_alone()
        {
            var policy = new SidecarPolicy(Service, retries: 2);
            _options.Overrides["Shop.IBillingService"] = new SidecarPolicyOverride { Retries = 9 };
            _options.Overrides["IBillingService.GetAsync"] = new SidecarPolicyOverride { FailureThreshold = 9 };
            _options.Overrides["Other.IOrderServiceX"] = new SidecarPolicyOverride { Retries = 9 };

            SidecarPipeline pipeline = Pipeline(policy);

            Assert.Same(policy, pipeline.Policy);
            Assert.Same(policy, pipeline.PolicyFor(Get));
        }

        [Fact]
        public void An_empty_override_leaves_the_policy_instance_alone()
        {
            var policy = new SidecarPolicy(Service, retries: 2);
            _options.Overrides[Service] = new SidecarPolicyOverride();

            Assert.Same(policy, Pipeline(policy).Policy);
            Assert.Same(policy, policy.With(null));
        }

        [Fact]
        public void A_service_override_by_full_name_replaces_only_what_it_sets()
        {
            Func<Exception, bool> transient = e => e is TimeoutException;
            var policy = new SidecarPolicy(Service, retries: 2, delay: 100, backoff: Backoff.Linear, timeout: 1_000, isTransient: transient, fallback: true);
            _options.Overrides[Service] = new SidecarPolicyOverride { Retries = 5, Backoff = Backoff.Exponential };

            SidecarPolicy effective = Pipeline(policy).Policy;

            Assert.NotSame(policy, effective);
            Assert.Equal(5, effective.Retries);
            Assert.Equal(Backoff.Exponential, effective.Backoff);
            Assert.Equal(TimeSpan.FromMilliseconds(100), effective.Delay);
            Assert.Equal(TimeSpan.FromSeconds(1), effective.Timeout);
            Assert.Equal(Service, effective.CircuitName);
            Assert.True(effective.HasFallback);
            Assert.False(effective.IsTransient(new InvalidOperationException())); // RetryOn survives
            Assert.True(effective.IsTransient(new TimeoutException()));
            Assert.Equal(2, policy.Retries); // the compiled-in policy is untouched
        }

        [Fact]
        public void A_service_override_by_simple_name_applies()
        {
            _options.Overrides[Simple] = new SidecarPolicyOverride { Retries = 6, Delay = 250 };

            SidecarPolicy effective = Pipeline(new SidecarPolicy(Service)).Policy;

            Assert.Equal(6, effective.Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(250), effective.Delay);
        }

        [Fact]
        public void The_full_name_wins_over_the_simple_name()
        {
            _options.Overrides[Simple] = new SidecarPolicyOverride { Retries = 6, Delay = 250 };
            _options.Overrides[Service] = new SidecarPolicyOverride { Retries = 7 };

            SidecarPolicy effective = Pipeline(new SidecarPolicy(Service)).Policy;

            Assert.Equal(7, effective.Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(250), effective.Delay); // what the full name does not set, the simple one still does
        }

        [Fact]
        public void Keys_are_case_insensitive()
        {
            _options.Overrides["shop.iorderservice"] = new SidecarPolicyOverride { Retries = 8 };

            Assert.True(_options.Overrides.ContainsKey(Service));
            Assert.Equal(8, Pipeline(new SidecarPolicy(Service)).Policy.Retries);
        }

        [Fact]
        public void Member_keys_are_case_insensitive_too()
        {
            _options.Overrides["IORDERSERVICE.getasync"] = new SidecarPolicyOverride { Retries = 1 };

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 4));
            SidecarPipeline listed = new(Service, new SidecarPolicy(Service, retries: 4), _options, new[] { Get, List }, null);

            Assert.Equal(1, pipeline.PolicyFor(Get).Retries);
            Assert.Equal(1, listed.PolicyFor(Get).Retries);
            Assert.Equal(4, listed.PolicyFor(List).Retries);
        }

        [Fact]
        public void A_member_override_applies_to_that_member_only()
        {
            var policy = new SidecarPolicy(Service, retries: 4, timeout: 5_000);
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Retries = 1, Timeout = 2_000 };

            SidecarPipeline pipeline = Pipeline(policy);

            Assert.Same(policy, pipeline.Policy);
            Assert.Same(policy, pipeline.PolicyFor(List));
            Assert.Equal(1, pipeline.PolicyFor(Get).Retries);
            Assert.Equal(TimeSpan.FromSeconds(2), pipeline.PolicyFor(Get).Timeout);
        }

        [Fact]
        public void ShouldRetry_uses_the_member_s_own_retries()
        {
            _options.Overrides[Service + "." + Get] = new SidecarPolicyOverride { Retries = 1 };
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 4));

            Assert.True(pipeline.ShouldRetry(Get, new TimeoutException(), 0, default, CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Get, new TimeoutException(), 1, default, CancellationToken.None, out _));
            Assert.True(pipeline.ShouldRetry(List, new TimeoutException(), 1, default, CancellationToken.None, out _));
            Assert.True(pipeline.ShouldRetry(List, new TimeoutException(), 3, default, CancellationToken.None, out _));
        }

        [Fact]
        public void StartAttempt_of_a_member_uses_its_own_timeout()
        {
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Timeout = 2_000 };
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, timeout: 10_000));

            using AttemptTimeout get = pipeline.StartAttempt(Get, CancellationToken.None);
            using AttemptTimeout list = pipeline.StartAttempt(List, CancellationToken.None);
            using AttemptTimeout service = pipeline.StartAttempt(CancellationToken.None);

            _time.Advance(TimeSpan.FromMilliseconds(1_999));
            Assert.False(get.Token.IsCancellationRequested);

            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(get.Token.IsCancellationRequested);
            Assert.True(get.HasExpired);
            Assert.False(list.Token.IsCancellationRequested);
            Assert.False(service.Token.IsCancellationRequested);

            _time.Advance(TimeSpan.FromSeconds(8));
            Assert.True(list.HasExpired);
            Assert.True(service.HasExpired);
        }

        [Fact]
        public void A_member_override_of_zero_removes_the_member_s_timeout()
        {
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Timeout = 0 };
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, timeout: 1_000));

            using AttemptTimeout get = pipeline.StartAttempt(Get, CancellationToken.None);
            _time.Advance(TimeSpan.FromHours(1));

            Assert.False(get.Token.IsCancellationRequested);
            Assert.Equal(TimeSpan.Zero, pipeline.PolicyFor(Get).Timeout);
        }

        [Fact]
        public void A_member_entry_wins_over_its_service_entry_and_inherits_the_rest()
        {
            _options.Overrides[Service] = new SidecarPolicyOverride { Retries = 5, Delay = 300 };
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Retries = 1 };

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));

            Assert.Equal(1, pipeline.PolicyFor(Get).Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(300), pipeline.PolicyFor(Get).Delay);
            Assert.Equal(5, pipeline.PolicyFor(List).Retries);
            Assert.Equal(5, pipeline.Policy.Retries);
        }

        [Fact]
        public void A_full_member_key_wins_over_a_simple_member_key()
        {
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Retries = 1, Delay = 700 };
            _options.Overrides[Service + "." + Get] = new SidecarPolicyOverride { Retries = 2 };

            SidecarPolicy get = Pipeline(new SidecarPolicy(Service)).PolicyFor(Get);

            Assert.Equal(2, get.Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(700), get.Delay);
        }

        [Fact]
        public void With_a_member_list_overrides_of_other_members_are_ignored()
        {
            _options.Overrides[Simple + ".Removed"] = new SidecarPolicyOverride { FailureThreshold = 3 }; // would throw if looked at
            _options.Overrides[Simple + "." + Get] = new SidecarPolicyOverride { Retries = 1 };

            var pipeline = new SidecarPipeline(Service, new SidecarPolicy(Service), _options, new[] { Get }, null);

            Assert.Equal(1, pipeline.PolicyFor(Get).Retries);
            Assert.Same(pipeline.Policy, pipeline.PolicyFor("Removed"));
        }

        [Theory]
        [InlineData(nameof(SidecarPolicyOverride.FailureThreshold))]
        [InlineData(nameof(SidecarPolicyOverride.BreakDuration))]
        [InlineData(nameof(SidecarPolicyOverride.FailureRatio))]
        [InlineData(nameof(SidecarPolicyOverride.SamplingDuration))]
        [InlineData(nameof(SidecarPolicyOverride.MinimumThroughput))]
        [InlineData(nameof(SidecarPolicyOverride.HalfOpenProbes))]
        [InlineData(nameof(SidecarPolicyOverride.MaxConcurrency))]
        [InlineData(nameof(SidecarPolicyOverride.RetryBudget))]
        [InlineData(nameof(SidecarPolicyOverride.MinRetriesPerSecond))]
        public void A_member_entry_may_not_set_a_service_level_knob(string knob)
        {
            var value = new SidecarPolicyOverride();
            typeof(SidecarPolicyOverride).GetProperty(knob)!.SetValue(value, knob switch
            {
                nameof(SidecarPolicyOverride.FailureRatio) or nameof(SidecarPolicyOverride.RetryBudget) => (object)0.5,
                _ => 2,
            });
            string key = Simple + "." + Get;
            _options.Overrides[key] = value;

            var ex = Assert.Throws<ArgumentException>(() => SidecarPipeline.CheckOverrides(Service, _options, new[] { Get }, null));

            Assert.Equal("options", ex.ParamName);
            Assert.Contains("'" + key + "'", ex.Message, StringComparison.Ordinal);
            Assert.Contains(knob, ex.Message, StringComparison.Ordinal);

            // The pipeline of a member that shares the service's circuit leaves it alone (an overload may own one).
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));
            Assert.Null(pipeline.Bulkhead);
            Assert.Null(pipeline.RetryBudget);
        }

        [Fact]
        public void A_member_entry_setting_FailureThreshold_throws_naming_the_key()
        {
            string key = Service + "." + Get;
            _options.Overrides[key] = new SidecarPolicyOverride { FailureThreshold = 3, Retries = 1 };

            var ex = Assert.Throws<ArgumentException>(() => SidecarPipeline.CheckOverrides(Service, _options, new[] { Get }, null));

            Assert.Contains(key, ex.Message, StringComparison.Ordinal);
            Assert.Contains("FailureThreshold", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_member_with_its_own_circuit_may_have_its_shared_knobs_overridden()
        {
            _options.Overrides[Service + "." + Get] = new SidecarPolicyOverride { MaxConcurrency = 7 };

            SidecarPipeline.CheckOverrides(Service, _options, new[] { Get }, new[] { Get });
            SidecarPipeline pipeline = new(Service, new SidecarPolicy(Service + "." + Get, maxConcurrency: 2), _options, new[] { Get }, new[] { "MaxConcurrency" });

            Assert.Equal(7, pipeline.Bulkhead!.MaxConcurrency);
        }

        [Fact]
        public void A_full_name_entry_for_a_member_the_service_lacks_is_refused_and_a_simple_name_one_is_left_to_others()
        {
            _options.Overrides[Simple + ".Charge"] = new SidecarPolicyOverride { Retries = 1 }; // another service may be called IOrderService too
            SidecarPipeline.CheckOverrides(Service, _options, new[] { Get }, null);

            _options.Overrides[Service + ".Gte"] = new SidecarPolicyOverride { Retries = 1 };
            var ex = Assert.Throws<ArgumentException>(() => SidecarPipeline.CheckOverrides(Service, _options, new[] { Get }, null));
            Assert.Contains("names no member", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void The_same_knob_is_fine_at_service_level()
        {
            _options.Overrides[Simple] = new SidecarPolicyOverride { FailureThreshold = 3, MaxConcurrency = 4, RetryBudget = 0.2, MinRetriesPerSecond = 1 };

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));

            Assert.Equal(3, pipeline.CircuitBreaker!.FailureThreshold);
            Assert.Equal(4, pipeline.Bulkhead!.MaxConcurrency);
            Assert.Equal(0.2, pipeline.RetryBudget!.Ratio);
            Assert.Equal(1, pipeline.RetryBudget.MinRetriesPerSecond);
        }

        [Theory]
        [InlineData(Service, "Retries", -1)]
        [InlineData(Simple, "Delay", -5)]
        [InlineData(Service, "MaxConcurrency", -1)]
        [InlineData(Service, "HalfOpenProbes", 0)]
        [InlineData(Service, "SamplingDuration", 0)]
        [InlineData(Simple + "." + Get, "Retries", -1)]
        [InlineData(Service + "." + Get, "Timeout", -1)]
        public void An_out_of_range_value_throws_naming_the_key(string key, string knob, int value)
        {
            var entry = new SidecarPolicyOverride();
            typeof(SidecarPolicyOverride).GetProperty(knob)!.SetValue(entry, value);
            _options.Overrides[key] = entry;

            var ex = Assert.Throws<ArgumentException>(() => Pipeline(new SidecarPolicy(Service)));

            Assert.Equal("options", ex.ParamName);
            Assert.Contains("'" + key + "'", ex.Message, StringComparison.Ordinal);
            Assert.IsType<ArgumentOutOfRangeException>(ex.InnerException);
        }

        [Theory]
        [InlineData(1.5)]
        [InlineData(-0.1)]
        public void An_out_of_range_failure_ratio_throws_naming_the_key(double ratio)
        {
            _options.Overrides[Simple] = new SidecarPolicyOverride { FailureRatio = ratio };

            var ex = Assert.Throws<ArgumentException>(() => Pipeline(new SidecarPolicy(Service)));

            Assert.Contains("'" + Simple + "'", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void An_override_can_turn_a_breaker_on()
        {
            var policy = new SidecarPolicy(Service, failureThreshold: 0);
            Assert.Null(Pipeline(policy).CircuitBreaker);

            _options.Overrides[Service] = new SidecarPolicyOverride { FailureThreshold = 2, BreakDuration = 1_000, HalfOpenProbes = 2 };
            SidecarPipeline pipeline = Pipeline(policy);

            Assert.NotNull(pipeline.CircuitBreaker);
            Assert.Equal(2, pipeline.CircuitBreaker!.FailureThreshold);
            Assert.Equal(TimeSpan.FromSeconds(1), pipeline.CircuitBreaker.BreakDuration);
            Assert.Equal(2, pipeline.CircuitBreaker.HalfOpenProbes);
            Assert.True(_registry.TryGet(Service, out CircuitBreaker? registered));
            Assert.Same(registered, pipeline.CircuitBreaker);

            pipeline.ShouldRetry(Get, new TimeoutException(), 3, default, CancellationToken.None, out _);
            pipeline.ShouldRetry(Get, new TimeoutException(), 3, default, CancellationToken.None, out _);
            Assert.False(pipeline.IsClosed);
        }

        [Fact]
        public void An_override_can_turn_a_breaker_off()
        {
            _options.Overrides[Service] = new SidecarPolicyOverride { FailureThreshold = 0 };

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, failureThreshold: 5));

            Assert.Null(pipeline.CircuitBreaker);
            Assert.Empty(_registry.Breakers);
        }

        [Fact]
        public void An_override_can_turn_on_a_failure_ratio_a_bulkhead_and_a_retry_budget()
        {
            _options.Overrides[Simple] = new SidecarPolicyOverride { FailureRatio = 0.5, SamplingDuration = 2_000, MinimumThroughput = 4, MaxConcurrency = 3, RetryBudget = 0.1, MinRetriesPerSecond = 0 };

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));

            Assert.Equal(0.5, pipeline.CircuitBreaker!.FailureRatio);
            Assert.Equal(TimeSpan.FromSeconds(2), pipeline.CircuitBreaker.SamplingDuration);
            Assert.Equal(4, pipeline.CircuitBreaker.MinimumThroughput);
            Assert.Equal(3, pipeline.Bulkhead!.MaxConcurrency);
            Assert.Equal(0.1, pipeline.RetryBudget!.Ratio);
            Assert.Equal(0, pipeline.RetryBudget.MinRetriesPerSecond);
        }

        [Fact]
        public void A_service_name_without_a_namespace_has_no_simple_name_to_look_up()
        {
            _options.Overrides["IOrders"] = new SidecarPolicyOverride { Retries = 9 };
            _options.Overrides["IOrders." + Get] = new SidecarPolicyOverride { Retries = 1 };

            var pipeline = new SidecarPipeline("IOrders", new SidecarPolicy("IOrders"), _options);

            Assert.Equal(9, pipeline.Policy.Retries);
            Assert.Equal(1, pipeline.PolicyFor(Get).Retries);
        }

        [Fact]
        public void Policy_With_validates_like_the_constructor()
        {
            var policy = new SidecarPolicy(Service);

            Assert.Equal("retries", Assert.Throws<ArgumentOutOfRangeException>(() => policy.With(new SidecarPolicyOverride { Retries = -1 })).ParamName);
            Assert.Equal("failureRatio", Assert.Throws<ArgumentOutOfRangeException>(() => policy.With(new SidecarPolicyOverride { FailureRatio = 2 })).ParamName);
            Assert.Equal("retryBudget", Assert.Throws<ArgumentOutOfRangeException>(() => policy.With(new SidecarPolicyOverride { RetryBudget = -1 })).ParamName);
        }

        private SidecarPipeline Pipeline(SidecarPolicy policy) => new(Service, policy, _options);
    }
}
