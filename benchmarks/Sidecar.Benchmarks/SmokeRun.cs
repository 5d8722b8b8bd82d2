using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Sidecar.Benchmarks
{
    /// <summary>
    /// <c>--smoke</c>: runs every benchmark method once, in this process, with the setup and cleanup BenchmarkDotNet
    /// would run for it, and fails if any throws. For CI: it proves the benchmarks still build and run, in seconds;
    /// it measures nothing.
    /// </summary>
    public static class SmokeRun
    {
        /// <summary>Runs the benchmarks of <paramref name="assembly"/>; returns the process exit code.</summary>
        public static int Run(Assembly assembly)
        {
            // The compile-time benchmarks take seconds per call over 1,000 interfaces; 100 prove the same thing.
            CompileTime.GeneratorBenchmarks.ServiceCount = 100;

            int passed = 0;
            int failed = 0;
            foreach (Type type in assembly.GetExportedTypes().Where(t => !t.IsAbstract && Methods<BenchmarkAttribute>(t).Any()).OrderBy(t => t.Name))
            {
                foreach (MethodInfo benchmark in Methods<BenchmarkAttribute>(type))
                {
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        // A new instance per method, as BenchmarkDotNet runs each method in a process of its own.
                        object instance = Activator.CreateInstance(type)!;
                        InvokeFor<GlobalSetupAttribute>(instance, benchmark, a => a.Targets);
                        InvokeFor<IterationSetupAttribute>(instance, benchmark, a => a.Targets);
                        Await(benchmark.Invoke(instance, null));
                        InvokeFor<IterationCleanupAttribute>(instance, benchmark, a => a.Targets);
                        InvokeFor<GlobalCleanupAttribute>(instance, benchmark, a => a.Targets);
                        passed++;
                        Console.WriteLine($"ok     {type.Name}.{benchmark.Name} ({clock.Elapsed.TotalMilliseconds:0} ms)");
                    }
                    catch (Exception exception)
                    {
                        failed++;
                        Console.WriteLine($"FAILED {type.Name}.{benchmark.Name}: {Unwrap(exception)}");
                    }
                }
            }

            Console.WriteLine($"smoke: {passed} passed, {failed} failed");
            return failed == 0 && passed > 0 ? 0 : 1;
        }

        private static IEnumerable<MethodInfo> Methods<TAttribute>(Type type)
            where TAttribute : Attribute
            => type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<TAttribute>() is not null)
                .OrderBy(m => m.MetadataToken);

        // Setup and cleanup methods apply to every benchmark unless their Targets name some.
        private static void InvokeFor<TAttribute>(object instance, MethodInfo benchmark, Func<TAttribute, string[]> targets)
            where TAttribute : Attribute
        {
            foreach (MethodInfo method in Methods<TAttribute>(instance.GetType()))
            {
                string[] names = targets(method.GetCustomAttribute<TAttribute>()!);
                if (names.Length == 0 || names.Contains(benchmark.Name))
                {
                    Await(method.Invoke(instance, null));
                }
            }
        }

        private static void Await(object? result)
        {
            switch (result)
            {
                case Task task:
                    task.GetAwaiter().GetResult();
                    break;
                case ValueTask valueTask:
                    valueTask.GetAwaiter().GetResult();
                    break;
                case not null when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>):
                    ((Task)result.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!).GetAwaiter().GetResult();
                    break;
            }
        }

        private static Exception Unwrap(Exception exception)
            => exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
    }
}
