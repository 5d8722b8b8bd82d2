namespace Sidecar.Generators.CodeFixes
{
    /// <summary>
    /// Ids of the generator's diagnostics that have a fix. Repeated here rather than shared with the generator, because
    /// this assembly needs Workspaces and the generator must not, and a fix needs only the id and the location.
    /// </summary>
    internal static class DiagnosticIds
    {
        /// <summary>A [Sidecar] class must be partial; reported on the class identifier.</summary>
        public const string ClassNotPartial = "SIDECAR001";

        /// <summary>[Sidecar] on a method of a class; reported on the attribute.</summary>
        public const string AttributeOnClassMethod = "SIDECAR007";

        /// <summary>A [Sidecar] setting is out of range; reported on the named argument.</summary>
        public const string InvalidKnob = "SIDECAR008";

        /// <summary>Types that contain a [Sidecar] class must be partial; reported on the nested class identifier.</summary>
        public const string ContainingTypeNotPartial = "SIDECAR010";

        /// <summary>MaxDelay is below Delay; reported on the MaxDelay argument (or on Delay when MaxDelay is inherited).</summary>
        public const string MaxDelayBelowDelay = "SIDECAR013";

        /// <summary>BreakDuration 0 with a circuit breaker; reported on the BreakDuration argument (or on FailureThreshold).</summary>
        public const string ZeroBreakDuration = "SIDECAR014";

        /// <summary>RetryOn names a type that is not an exception; reported on the <c>typeof</c> in the RetryOn array.</summary>
        public const string RetryOnNotAnException = "SIDECAR016";

        /// <summary>A setting that refines a knob that is off; reported on the setting's argument.</summary>
        public const string SettingWithoutEffect = "SIDECAR018";
    }
}
