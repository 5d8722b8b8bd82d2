using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Diagnostics
{
    /// <summary>Every diagnostic the generator reports. Each id has a page in docs/diagnostics.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Sidecar";
        private const string HelpRoot = "https://github.com/sidecar-generators/Sidecar.Generators/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor InternalError = Create(
            "SIDECAR000",
            "The Sidecar generator failed on this type",
            "The Sidecar generator failed on '{0}': {1}. Other types were still generated; please report this with the declaration that caused it.",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ClassNotPartial = Create(
            "SIDECAR001",
            "A [Sidecar] class must be partial",
            "Class '{0}' has [Sidecar] but is not partial, so the generator cannot add the members it forwards; declare it 'partial class {0}'",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ClassHasNoInterface = Create(
            "SIDECAR002",
            "A [Sidecar] class must list the interfaces it decorates",
            "Class '{0}' has [Sidecar] but lists no interface; add the interface to decorate to its base list, e.g. 'partial class {0} : IMyService'",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor StaticAbstractMember = Create(
            "SIDECAR003",
            "Static abstract interface members cannot be decorated",
            "'{0}' declares static abstract member '{1}', which a decorator cannot forward to an instance; remove [Sidecar] from this interface or move the member to another interface",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ForwardedWithoutResilience = Create(
            "SIDECAR004",
            "Member is forwarded without retry",
            "'{0}' is forwarded to the inner instance without retry or circuit breaker: {1}",
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor NameCollision = Create(
            "SIDECAR005",
            "The sidecar's name is already taken",
            "The sidecar of '{0}' would be named '{1}', but a type of that name that is not a partial class already exists; rename that type, or declare it 'partial class {1}' to extend the generated class",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor CannotImplement = Create(
            "SIDECAR006",
            "The interface cannot be decorated",
            "No sidecar can be generated for '{0}': {1}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor AttributeOnClassMethod = Create(
            "SIDECAR007",
            "[Sidecar] on a method of a class has no effect",
            "[Sidecar] on method '{0}' of class '{1}' is ignored: put it on the interface method it implements, or on the class to decorate every member",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidKnob = Create(
            "SIDECAR008",
            "A [Sidecar] setting is out of range",
            "{0} = {1} is not valid: {2}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor LanguageVersionTooLow = Create(
            "SIDECAR009",
            "Sidecars need C# 8 or later",
            "Generated sidecars use nullable annotations and need C# 8 or later, but this project uses C# {0}; set <LangVersion>8</LangVersion> or later in the project file",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
            "SIDECAR010",
            "Types that must hold a generated sidecar must be partial",
            "'{0}' is nested in '{1}', which is not partial, so the generator cannot add its sidecar there; declare '{1}' partial or move '{0}' out of it",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor TimeoutOnSynchronousMember = Create(
            "SIDECAR011",
            "Timeout or hedging cannot be enforced on a synchronous member",
            "{0} is not enforced on {1}: a synchronous call cannot be abandoned while it runs; {2}",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor FallbackDoesNotFit = Create(
            "SIDECAR012",
            "Fallback method not found or does not fit",
            "Fallback '{0}' for '{1}' {2}; declare '{3}' (the Exception parameter is optional) in {4}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor MaxDelayBelowDelay = Create(
            "SIDECAR013",
            "MaxDelay is below Delay",
            "MaxDelay = {0} is below Delay = {1}, so every retry waits {0} ms whatever the backoff; raise MaxDelay to at least {1} or remove it",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor ZeroBreakDuration = Create(
            "SIDECAR014",
            "A circuit breaker with BreakDuration 0 never stays open",
            "BreakDuration = 0 lets a probe through at once after the circuit opens, so the breaker never gives the dependency time to recover; remove BreakDuration (default 5000 ms) or set the milliseconds the circuit should stay open",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor AbsurdSchedule = Create(
            "SIDECAR015",
            "The retry schedule is absurdly long",
            "The retry schedule waits {0} in all over {1} retries; a caller would hang that long before it sees the failure. Lower Retries, Delay or the Backoff, or set MaxDelay.",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor RetryOnNotAnException = Create(
            "SIDECAR016",
            "RetryOn or NeverRetryOn names a type that is not an exception",
            "{0} lists '{1}', which is not an exception type and can never be thrown; list types derived from System.Exception",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor LongScheduleWithoutCancellation = Create(
            "SIDECAR017",
            "A long retry schedule cannot be cancelled",
            "'{0}' may wait up to {1} between retries but takes no CancellationToken, so its caller cannot give up early",
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor SettingWithoutEffect = Create(
            "SIDECAR018",
            "A [Sidecar] setting has no effect",
            "{0} has no effect without {1}; set {1} as well, or remove {0}",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor ImplementationIsNotASidecar = Create(
            "SIDECAR019",
            "[Sidecar] is on the class that implements the interface",
            "'{0}' implements every member of {1} itself, so it is the implementation, not a sidecar (a sidecar of it would wrap itself, and dependency injection would find a circular dependency); {2}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor PassThroughAndSidecar = Create(
            "SIDECAR020",
            "A member has both [PassThrough] and [Sidecar]",
            "'{0}' has both [PassThrough] and [Sidecar]; [PassThrough] wins and it is forwarded untouched, so the [Sidecar] settings are ignored: remove one of the two",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor ClassifyDoesNotFit = Create(
            "SIDECAR021",
            "Classify method not found or does not fit",
            "Classify '{0}' {1}; declare {2} in {3}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor RetryOnBesideClassify = Create(
            "SIDECAR022",
            "RetryOn and NeverRetryOn have no effect where Classify takes exceptions",
            "RetryOn and NeverRetryOn have no effect on the members whose exceptions '{0}(Exception exception)' classifies; decide there which exceptions are Transient, or remove RetryOn and NeverRetryOn",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor ScheduleExceedsTotalTimeout = Create(
            "SIDECAR023",
            "The retry schedule does not fit in TotalTimeout",
            "TotalTimeout = {0} ms cannot hold the retry schedule: {1}; raise TotalTimeout, or lower Retries, Delay or Timeout",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor HedgingWithoutCancellation = Create(
            "SIDECAR024",
            "A hedged member cannot cancel the attempts that lose",
            "'{0}' is hedged but takes no CancellationToken, so the attempts that lose cannot be told to stop: they run on to the end, up to {1} at once for one call; add a CancellationToken parameter, or remove Hedging",
            DiagnosticSeverity.Warning);

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
        {
            InternalError, ClassNotPartial, ClassHasNoInterface, StaticAbstractMember, ForwardedWithoutResilience,
            NameCollision, CannotImplement, AttributeOnClassMethod, InvalidKnob, LanguageVersionTooLow, ContainingTypeNotPartial,
            TimeoutOnSynchronousMember, FallbackDoesNotFit, MaxDelayBelowDelay, ZeroBreakDuration, AbsurdSchedule,
            RetryOnNotAnException, LongScheduleWithoutCancellation, SettingWithoutEffect, ImplementationIsNotASidecar,
            PassThroughAndSidecar, ClassifyDoesNotFit, RetryOnBesideClassify,
            ScheduleExceedsTotalTimeout, HedgingWithoutCancellation,
        }.ToDictionary(d => d.Id);

        public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];

        private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity)
            => new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpRoot + id + ".md");
    }
}
