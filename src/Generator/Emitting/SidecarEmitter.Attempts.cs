using System;
using System.Collections.Generic;
using System.Linq;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // The pieces of one attempt the retry loops share: the retry decision, the verdict on a result, the fallback's scope,
    // the classifier and chaos lambdas, and the names of the locals.
    internal static partial class SidecarEmitter
    {
        /// <summary>
        /// Opens the catch of one attempt (the caller writes the wait and closes it). The retry decision gives back slots and
        /// tells observers, so it runs in the catch block, after the failing attempt has unwound (its finally blocks have
        /// run), never in an exception filter; a failure that is not retried is rethrown as it is, stack trace and all.
        /// </summary>
        private static void EmitRetryCatch(SourceWriter w, MethodModel m, string pipeline, string display, LocalNames locals, string token, string? deadline, string? known = null)
        {
            w.Open("catch (" + Exception + " " + locals.Exception + ")");
            string decision = m.ExceptionClassifier is not null || deadline is not null
                ? pipeline + (known is null ? ".ShouldRetry(" : ".ShouldRetryClassified(") + display + ", " + locals.Exception + ", " + (known is null ? string.Empty : known + ", ") + "this, " + (m.ExceptionClassifier is { } classifier ? Classifier(classifier, locals) : "null") + ", " + locals.Attempt + ", " + locals.Permit + ", " + token + ", " + locals.Delay + ", out " + locals.Delay + ", out " + (m.Fallback is null || m.ExceptionClassifier is null ? "_" : locals.Outcome) + (deadline is null ? string.Empty : ", " + deadline) + ")"
                : pipeline + ".ShouldRetry(" + display + ", " + locals.Exception + ", " + locals.Attempt + ", " + locals.Permit + ", " + token + ", " + locals.Delay + ", out " + locals.Delay + ")";
            w.Open("if (!" + decision + ")");
            w.Line("throw;");
            w.Close();
            w.Line();
        }

        /// <summary>
        /// After an attempt that returned a result: classify it, end the call with it (or hand it to the fallback), or fall
        /// through to the wait before the next attempt. <paramref name="known"/> is the outcome the fast path already found.
        /// </summary>
        private static void EmitResultVerdict(SourceWriter w, MethodModel m, string pipeline, string display, LocalNames locals, string token, string known, string? deadline)
        {
            string unsuccessful = m.Fallback is null ? "_" : "global::System.Exception? " + locals.Unsuccessful;
            w.Open("if (!" + pipeline + ".ShouldRetryResult(" + display + ", " + locals.Result + ", this, " + Classifier(m.ResultClassifier!, locals) + ", " + known + ", " + locals.Attempt + ", " + locals.Permit + ", " + token + ", " + locals.Delay + ", out " + locals.Delay + ", out " + unsuccessful + (deadline is null ? string.Empty : ", " + deadline) + "))");
            if (m.Fallback is not null)
            {
                w.Open("if (" + locals.Unsuccessful + " is not null)");
                w.Line("// The last result was not a success: the fallback answers it.");
                w.Line("throw " + locals.Unsuccessful + ";");
                w.Close();
                w.Line();
            }

            w.Line("return " + locals.Result + ";");
            w.Close();
            w.Line();
        }

        /// <summary>A lambda that calls the classifier on the sidecar it is given: it captures nothing, so it is allocated once.</summary>
        private static string Classifier(ClassifierModel classifier, LocalNames locals)
            => "(" + locals.Self + ", " + locals.Classified + ") => " + (classifier.IsStatic ? string.Empty : locals.Self + ".") + classifier.Name + "(" + locals.Classified + ")";

        /// <summary>With a fallback, the retry loop sits in a try whose catch hands the final failure to the fallback.</summary>
        private static void OpenFallbackScope(SourceWriter w, MethodModel m, LocalNames locals)
        {
            if (m.Fallback is not null)
            {
                if (m.ExceptionClassifier is not null)
                {
                    // How Classify saw the last failure: the fallback answers Transient and Failure, not Ignored.
                    w.Line("global::Sidecar.Outcome " + locals.Outcome + " = global::Sidecar.Outcome.Failure;");
                }

                w.Open("try");
            }
        }

        private static void CloseFallbackScope(SourceWriter w, MethodModel m, string pipeline, string display, LocalNames locals, bool isAsync)
        {
            if (m.Fallback is null)
            {
                return;
            }

            string token = m.CancellationToken ?? "default";
            w.Close();
            string answers = m.ExceptionClassifier is not null
                ? pipeline + ".ShouldFallBack(" + locals.Exception + ", " + token + ", " + locals.Outcome + ")"
                : pipeline + ".ShouldFallBack(" + display + ", " + locals.Exception + ", " + token + ")";
            w.Line("catch (" + Exception + " " + locals.Exception + ") when (" + answers + ")");
            w.OpenBrace();
            w.Line(pipeline + ".OnFallback(" + display + ", " + locals.Exception + ");");
            string arguments = string.Join(", ", m.Parameters.Select(Argument).Concat(m.FallbackTakesException ? new[] { locals.Exception } : Array.Empty<string>()));
            string call = m.Fallback + TypeParameterList(m.TypeParameters) + "(" + arguments + ")";
            bool returnsValue = m.ReturnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;
            if (isAsync)
            {
                call = "await " + call + ".ConfigureAwait(false)";
            }

            w.Line(returnsValue ? "return " + call + ";" : call + ";");
            w.Close();
        }

        /// <summary>
        /// The attempt under chaos: <c>_pipeline.Chaotic(member, (this, args…), (state, token) =&gt; state.Item1._inner.M(…), token)</c>.
        /// The lambda captures nothing (the sidecar and the arguments travel in a tuple), so it is allocated once; the
        /// member's token is replaced by the one the pipeline passes (the attempt's, when it has a timeout).
        /// </summary>
        private static string ChaoticCall(MethodModel m, string innerField, string pipeline, string display, LocalNames locals, string token)
        {
            (string state, string lambda) = CapturedCall(m, innerField, locals);
            return pipeline + ".Chaotic(" + display + ", " + state + ", " + lambda + ", " + token + ")";
        }

        /// <summary>
        /// The inner call as a state and a lambda that captures nothing: <c>(this, args…)</c> and
        /// <c>(state, token) =&gt; state.Item1._inner.M(…)</c>, the member's token replaced by the one the pipeline passes.
        /// </summary>
        private static (string State, string Lambda) CapturedCall(MethodModel m, string innerField, LocalNames locals)
        {
            var carried = m.Parameters.Where(p => p.Name != m.CancellationToken).ToList();
            string state = carried.Count == 0 ? "this" : "(this, " + string.Join(", ", carried.Select(p => p.Name)) + ")";
            string self = carried.Count == 0 ? locals.ChaosState : locals.ChaosState + ".Item1";
            string inner = m.Via is null ? self + "." + innerField : "((" + m.Via + ")" + self + "." + innerField + ")";
            string arguments = string.Join(", ", m.Parameters.Select(p => p.Name == m.CancellationToken ? locals.ChaosToken : locals.ChaosState + ".Item" + (carried.IndexOf(p) + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            string call = inner + "." + m.Name + TypeParameterList(m.TypeParameters) + "(" + arguments + ")";
            call = m.ReturnKind is ReturnKind.ValueTask or ReturnKind.ValueTaskOfT
                ? call + ".AsTask()"
                : call + " ?? throw new global::System.InvalidOperationException(" + Literal(m.DisplayName + " returned null instead of a task.") + ")";
            return (state, "(" + locals.ChaosState + ", " + locals.ChaosToken + ") => " + call);
        }

        private sealed class LocalNames
        {
            public string Attempt = "attempt";
            public string Permit = "permit";
            public string Result = "result";
            public string Exception = "exception";
            public string Delay = "delay";
            public string Task = "task";
            public string FirstAttempt = "firstAttempt";
            public string First = "first";
            public string FirstPermit = "firstPermit";
            public string Timeout = "timeout";
            public string Refused = "refused";
            public string Inner = "attemptTask";
            public string Outcome = "outcome";
            public string Unsuccessful = "unsuccessful";
            public string FirstOutcome = "firstOutcome";
            public string Value = "value";
            public string Self = "sidecar";
            public string Classified = "classified";
            public string Deadline = "deadline";
            public string ChaosState = "state";
            public string ChaosToken = "token";
            public string Hedged = "hedged";
        }

        /// <summary>Names for the locals of one member that no parameter or type parameter already uses.</summary>
        private static LocalNames Locals(MethodModel m)
        {
            var taken = new HashSet<string>(m.Parameters.Select(p => p.Name.TrimStart('@')));
            foreach (string tp in m.TypeParameters.Select(t => t.TrimStart('@')))
            {
                taken.Add(tp);
            }

            var names = new NameAllocator(taken);
            return new LocalNames
            {
                Attempt = names.Allocate("attempt"),
                Permit = names.Allocate("permit"),
                Result = names.Allocate("result"),
                Exception = names.Allocate("exception"),
                Delay = names.Allocate("delay"),
                Task = names.Allocate("task"),
                FirstAttempt = names.Allocate("firstAttempt"),
                First = names.Allocate("first"),
                FirstPermit = names.Allocate("firstPermit"),
                Timeout = names.Allocate("timeout"),
                Refused = names.Allocate("refused"),
                Inner = names.Allocate("attemptTask"),
                Outcome = names.Allocate("outcome"),
                Unsuccessful = names.Allocate("unsuccessful"),
                FirstOutcome = names.Allocate("firstOutcome"),
                Value = names.Allocate("value"),
                Self = names.Allocate("sidecar"),
                Classified = names.Allocate("classified"),
                Deadline = names.Allocate("deadline"),
                ChaosState = names.Allocate("state"),
                ChaosToken = names.Allocate("token"),
                Hedged = names.Allocate("hedged"),
            };
        }
    }
}
