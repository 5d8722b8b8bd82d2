using System;
using System.Collections.Concurrent;
using System.Reflection;
using System.Threading.Tasks;
using Castle.DynamicProxy;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>
    /// Retry and circuit breaking as a Castle DynamicProxy interceptor, the run-time proxy way: synchronous members
    /// retry <see cref="IInvocation.Proceed"/> in a loop; <see cref="Task{TResult}"/> and <see cref="ValueTask{TResult}"/>
    /// members keep the inner task when it completed successfully and otherwise replace
    /// <see cref="IInvocation.ReturnValue"/> with a task that retries through <see cref="IInvocation.CaptureProceedInfo"/>.
    /// The handler for each method is found once, by reflection, and cached.
    /// </summary>
    public sealed class ResilienceInterceptor : IInterceptor
    {
        private static readonly ConcurrentDictionary<MethodInfo, Action<ResilienceInterceptor, IInvocation>> s_handlers = new();
        private static readonly MethodInfo s_interceptTask = typeof(ResilienceInterceptor).GetMethod(nameof(InterceptTask), BindingFlags.NonPublic | BindingFlags.Instance)!;
        private static readonly MethodInfo s_interceptValueTask = typeof(ResilienceInterceptor).GetMethod(nameof(InterceptValueTask), BindingFlags.NonPublic | BindingFlags.Instance)!;

        private readonly int _maxRetries;
        private readonly SimpleCircuitBreaker _breaker;

        /// <summary>Creates the interceptor.</summary>
        public ResilienceInterceptor(int maxRetries, SimpleCircuitBreaker breaker)
        {
            _maxRetries = maxRetries;
            _breaker = breaker;
        }

        /// <inheritdoc/>
        public void Intercept(IInvocation invocation)
            => s_handlers.GetOrAdd(invocation.Method, static method => CreateHandler(method))(this, invocation);

        private static Action<ResilienceInterceptor, IInvocation> CreateHandler(MethodInfo method)
        {
            Type returnType = method.ReturnType;
            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            {
                return s_interceptTask.MakeGenericMethod(returnType.GetGenericArguments()[0])
                    .CreateDelegate<Action<ResilienceInterceptor, IInvocation>>();
            }

            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            {
                return s_interceptValueTask.MakeGenericMethod(returnType.GetGenericArguments()[0])
                    .CreateDelegate<Action<ResilienceInterceptor, IInvocation>>();
            }

            return static (self, invocation) => self.InterceptSync(invocation);
        }

        private void InterceptSync(IInvocation invocation)
        {
            for (int attempt = 0; ; attempt++)
            {
                _breaker.ThrowIfOpen();
                try
                {
                    invocation.Proceed();
                    _breaker.OnSuccess();
                    return;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                }
            }
        }

        private void InterceptTask<T>(IInvocation invocation)
        {
            Task<T>? first = null;
            if (_breaker.IsClosed)
            {
                first = ProceedTask<T>(null, invocation);
                if (first.IsCompletedSuccessfully)
                {
                    // ReturnValue already holds the inner task.
                    _breaker.OnSuccess();
                    return;
                }
            }

            invocation.ReturnValue = RetryTaskAsync(invocation.CaptureProceedInfo(), invocation, first);
        }

        private async Task<T> RetryTaskAsync<T>(IInvocationProceedInfo proceed, IInvocation invocation, Task<T>? first)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    Task<T> task;
                    if (attempt == 0 && first is not null)
                    {
                        task = first;
                    }
                    else
                    {
                        _breaker.ThrowIfOpen();
                        task = ProceedTask<T>(proceed, invocation);
                    }

                    T result = await task.ConfigureAwait(false);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                }
            }
        }

        private void InterceptValueTask<T>(IInvocation invocation)
        {
            ValueTask<T>? first = null;
            if (_breaker.IsClosed)
            {
                ValueTask<T> task = ProceedValueTask<T>(null, invocation);
                if (task.IsCompletedSuccessfully)
                {
                    // ReturnValue already holds the inner (boxed) value task.
                    _breaker.OnSuccess();
                    return;
                }

                first = task;
            }

            invocation.ReturnValue = RetryValueTaskAsync(invocation.CaptureProceedInfo(), invocation, first);
        }

        private async ValueTask<T> RetryValueTaskAsync<T>(IInvocationProceedInfo proceed, IInvocation invocation, ValueTask<T>? first)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    ValueTask<T> task;
                    if (attempt == 0 && first is { } firstTask)
                    {
                        task = firstTask;
                    }
                    else
                    {
                        _breaker.ThrowIfOpen();
                        task = ProceedValueTask<T>(proceed, invocation);
                    }

                    T result = await task.ConfigureAwait(false);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                }
            }
        }

        // The first attempt proceeds directly; retries go through the captured proceed info.
        private static Task<T> ProceedTask<T>(IInvocationProceedInfo? proceed, IInvocation invocation)
        {
            try
            {
                if (proceed is null)
                {
                    invocation.Proceed();
                }
                else
                {
                    proceed.Invoke();
                }

                return (Task<T>)invocation.ReturnValue!;
            }
            catch (Exception exception)
            {
                return Task.FromException<T>(exception);
            }
        }

        // The first attempt proceeds directly; retries go through the captured proceed info.
        private static ValueTask<T> ProceedValueTask<T>(IInvocationProceedInfo? proceed, IInvocation invocation)
        {
            try
            {
                if (proceed is null)
                {
                    invocation.Proceed();
                }
                else
                {
                    proceed.Invoke();
                }

                return (ValueTask<T>)invocation.ReturnValue!;
            }
            catch (Exception exception)
            {
                return ValueTask.FromException<T>(exception);
            }
        }

        private bool ShouldRetry(Exception exception, int attempt)
        {
            if (exception is CircuitOpenException)
            {
                return false;
            }

            _breaker.OnFailure();
            return attempt < _maxRetries && _breaker.IsClosed;
        }
    }
}
