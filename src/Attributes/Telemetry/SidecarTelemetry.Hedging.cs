using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sidecar
{
    // Hedging: one count and one trace event per hedged attempt started beside an attempt that had not answered.
    public static partial class SidecarTelemetry
    {
        internal const string HedgesName = "sidecar.hedges";
        internal const string HedgeEvent = "sidecar.hedge";
        internal const string HedgeTag = "sidecar.hedge";
        internal const string HedgeTriggerTag = "sidecar.hedge.trigger";

        internal static readonly Counter<long> Hedges = Meter.CreateCounter<long>(
            HedgesName,
            "{attempt}",
            "Hedged attempts started beside an attempt that had not answered within HedgingDelay (trigger delay) or had failed transiently (trigger failure).");

        /// <summary>
        /// Hedged attempt <paramref name="hedge"/> (1 for the first extra one) of attempt <paramref name="attempt"/> (1 for the
        /// first) started, after the delay or after a transient failure.
        /// </summary>
        internal static void Hedged(string service, string member, int attempt, int hedge, bool afterFailure)
        {
            try
            {
                string trigger = afterFailure ? "failure" : "delay";
                if (Hedges.Enabled)
                {
                    var tags = new TagList
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { HedgeTriggerTag, trigger },
                    };
                    Hedges.Add(1, tags);
                }

                if (CurrentActivity() is Activity activity)
                {
                    activity.AddEvent(new ActivityEvent(HedgeEvent, tags: new ActivityTagsCollection
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { AttemptTag, attempt },
                        { HedgeTag, hedge },
                        { HedgeTriggerTag, trigger },
                    }));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }
    }
}
