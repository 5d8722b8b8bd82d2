using System;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    // Fault injection: an attempt whose permit InjectsChaos runs through here instead of calling the inner instance.
    public sealed partial class SidecarPipeline
    {
        /// <summary>The key in <see cref="Exception.Data"/> that marks an exception as injected (telemetry tags it <c>sidecar.injected</c>).</summary>
        internal const string InjectedKey = "Sidecar.Injected";

        /// <summary>
        /// One attempt of an asynchronous member under chaos: maybe waits <c>ChaosLatency</c> first (on the attempt's token,
        /// so its timeout cuts it short), then maybe fails with an injected fault or answers with an injected result, else
        /// calls <paramref name="call"/> with <paramref name="cancellationToken"/>. Generated code passes the call as a lambda
        /// that captures nothing (the sidecar and the arguments travel in <paramref name="state"/>).
        /// </summary>
        public async Task<T> Chaotic<TState, T>(SidecarMember member, TState state, Func<TState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            SidecarPolicy policy = PolicyFor(member);
            await InjectLatency(policy, cancellationToken).ConfigureAwait(false);
            InjectFault(member, policy);
            if (Roll(policy.ChaosResultRate) && _chaos?.Result?.Invoke(member) is T injected)
            {
                return injected;
            }

            return await (call ?? throw new ArgumentNullException(nameof(call)))(state, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>One attempt of an asynchronous member without a result under chaos; see the overload with a result.</summary>
        public async Task Chaotic<TState>(SidecarMember member, TState state, Func<TState, CancellationToken, Task> call, CancellationToken cancellationToken)
        {
            SidecarPolicy policy = PolicyFor(member);
            await InjectLatency(policy, cancellationToken).ConfigureAwait(false);
            InjectFault(member, policy);
            await (call ?? throw new ArgumentNullException(nameof(call)))(state, cancellationToken).ConfigureAwait(false);
        }

        private Task InjectLatency(SidecarPolicy policy, CancellationToken cancellationToken)
            => Roll(policy.ChaosLatencyRate) ? DelayAsync(policy.ChaosLatency, cancellationToken) : Task.CompletedTask;

        private void InjectFault(SidecarMember member, SidecarPolicy policy)
        {
            if (!Roll(policy.ChaosFaultRate))
            {
                return;
            }

            Exception fault = _chaos?.Fault?.Invoke(member) ?? new SidecarInjectedFaultException(Service, member.Name);
            fault.Data[InjectedKey] = true;
            throw fault;
        }

        // A throw of the dice: true with probability `rate` (never for 0, always for 1).
        private bool Roll(double rate)
        {
            if (rate <= 0)
            {
                return false;
            }

            if (rate >= 1)
            {
                return true;
            }

            return (_chaos?.NextSeeded() ?? NextRandom()) < rate;
        }
    }
}
