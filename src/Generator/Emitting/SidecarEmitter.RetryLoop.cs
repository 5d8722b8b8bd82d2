using System;
using System.Collections.Generic;
using System.Linq;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // The retry loop of a decorated method: synchronous, and asynchronous with its completed-task fast path.
    internal static partial class SidecarEmitter
    {
        private static void EmitSyncMethod(SourceWriter w, MethodModel m, string target, string pipeline, string display)
        {
            LocalNames locals = Locals(m);
            string token = m.CancellationToken ?? "default";
            Header(w, m);
            w.Line(Signature(m));
            Constraints(w, m.Constraints);
            w.OpenBrace();
            OpenFallbackScope(w, m, locals);
            w.Line("global::System.TimeSpan " + locals.Delay + " = global::System.TimeSpan.Zero;");
            w.Open("for (int " + locals.Attempt + " = 0; ; " + locals.Attempt + "++)");
            w.Line("global::Sidecar.CircuitPermit " + locals.Permit + " = " + pipeline + ".Enter(" + display + ", " + locals.Attempt + ");");
            if (m.ResultClassifier is not null && m.ReturnKind == ReturnKind.Value)
            {
                // The result is classified after the attempt's try, so that an exception of Classify itself is not
                // taken for a failure of the attempt.
                w.Line(m.Type + " " + locals.Result + ";");
                w.Open("try");
                w.Line(locals.Result + " = " + Call(m, target) + ";");
                w.Close();
                EmitRetryCatch(w, m, pipeline, display, locals, token, null);
                w.Line(pipeline + ".Wait(" + locals.Delay + ", " + token + ");");
                w.Line("continue;");
                w.Close();
                w.Line();
                EmitResultVerdict(w, m, pipeline, display, locals, token, "null", null);
                w.Line(pipeline + ".Wait(" + locals.Delay + ", " + token + ");");
                w.Close();
                CloseFallbackScope(w, m, pipeline, display, locals, isAsync: false);
                w.Close();
                return;
            }

            w.Open("try");
            if (m.ReturnKind == ReturnKind.Void)
            {
                w.Line(Call(m, target) + ";");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return;");
            }
            else
            {
                w.Line(m.Type + " " + locals.Result + " = " + Call(m, target) + ";");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return " + locals.Result + ";");
            }

            w.Close();
            EmitRetryCatch(w, m, pipeline, display, locals, token, null);
            w.Line(pipeline + ".Wait(" + locals.Delay + ", " + token + ");");
            w.Close();
            w.Close();
            CloseFallbackScope(w, m, pipeline, display, locals, isAsync: false);
            w.Close();
        }

        private static void EmitAsyncMethod(SourceWriter w, MethodModel m, string target, string innerField, PolicyModel policy, string pipeline, string display, NameAllocator names)
        {
            LocalNames locals = Locals(m);
            bool isValueTask = m.ReturnKind is ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
            bool hasResult = m.ReturnKind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;
            // A deadline over the call needs every attempt timed too, so either knob takes the member off the fast path.
            bool hasDeadline = policy.TotalTimeout > 0;
            bool hasTimeout = policy.Timeout > 0 || hasDeadline;
            string? deadline = hasDeadline ? locals.Deadline : null;
            bool classifiesResult = hasResult && m.ResultClassifier is not null;
            string helper = names.Allocate(m.DisplayName + "WithRetries");
            string token = m.CancellationToken ?? "default";
            string arguments = string.Join(", ", m.Parameters.Select(p => p.Name));
            string helperCall = helper + TypeParameterList(m.TypeParameters) + "(" + arguments + (arguments.Length > 0 ? ", " : string.Empty);

            // With a bulkhead queue, an attempt that finds every slot taken waits for one (in order) instead of failing.
            string enter = policy.Values.IsOn(Catalogue.KnobId.MaxQueue) && policy.Values.IsOn(Catalogue.KnobId.MaxConcurrency)
                ? "await " + pipeline + ".EnterAsync(" + display + ", " + locals.Attempt + ", " + token + ").ConfigureAwait(false)"
                : pipeline + ".Enter(" + display + ", " + locals.Attempt + ")";

            Header(w, m);
            w.Line(Signature(m));
            Constraints(w, m.Constraints);
            w.OpenBrace();
            if (hasTimeout)
            {
                w.Line(hasDeadline
                    ? "// The call runs under a deadline and every attempt under a time limit, so even the first one goes through the retry loop."
                    : "// Every attempt runs under its own time limit, so even the first one goes through the retry loop.");
                w.Line("return " + helper + TypeParameterList(m.TypeParameters) + "(" + arguments + ");");
            }
            else
            {
                string fromException = hasResult
                    ? Tasks + "Task.FromException<" + m.ResultType + ">(" + locals.Exception + ")"
                    : Tasks + "Task.FromException(" + locals.Exception + ")";
                if (isValueTask)
                {
                    fromException = "new " + m.Type + "(" + fromException + ")";
                }

                // The first attempt's permit tells the circuit episode it was admitted in (a verdict from an earlier one moves
                // nothing) and holds the bulkhead slot, if there is a bulkhead.
                w.Line("global::Sidecar.CircuitPermit " + locals.Permit + " = " + pipeline + ".Start();");
                w.Open("if (" + locals.Permit + ".IsBlocked)");
                if (m.Fallback is null)
                {
                    // Refused: handed back in a faulted task, so it is thrown once, at the caller's await.
                    string refusal = hasResult
                        ? Tasks + "Task.FromException<" + m.ResultType + ">(" + locals.Refused + ")"
                        : Tasks + "Task.FromException(" + locals.Refused + ")";
                    w.Open("if (" + pipeline + ".Refusal(" + display + ") is { } " + locals.Refused + ")");
                    w.Line("return " + (isValueTask ? "new " + m.Type + "(" + refusal + ")" : refusal) + ";");
                    w.Close();
                    w.Line();
                }

                w.Line("return " + helperCall + "null, default" + (classifiesResult ? ", null" : string.Empty) + ");");
                w.Close();
                w.Line();
                w.Line(m.Type + " " + locals.Task + ";");
                w.Open("try");
                w.Line(locals.Task + " = " + GuardedCall(m, target) + ";");

                w.Close();
                w.Open("catch (" + Exception + " " + locals.Exception + ")");
                w.Line("// Seen by the retry loop as a failed attempt, like any other failure.");
                w.Line(locals.Task + " = " + fromException + ";");
                w.Close();
                w.Line();
                w.Open("if (" + (isValueTask ? locals.Task + ".IsCompletedSuccessfully" : locals.Task + ".Status == " + Tasks + "TaskStatus.RanToCompletion") + ")");
                w.Line("// The happy path: no state machine, no allocation.");
                if (classifiesResult)
                {
                    // A completed ValueTask may be backed by a reusable source: its result is read once, then carried by value.
                    string completed = locals.Task;
                    string first = locals.Task + ".Result";
                    if (isValueTask)
                    {
                        w.Line(m.ResultType + " " + locals.Value + " = " + locals.Task + ".Result;");
                        first = locals.Value;
                        completed = "new " + m.Type + "(" + locals.Value + ")";
                    }

                    w.Open("if (" + pipeline + ".Succeeded(" + display + ", " + first + ", this, " + Classifier(m.ResultClassifier!, locals) + ", " + locals.Permit + ", out global::Sidecar.Outcome? " + locals.FirstOutcome + "))");
                    w.Line("return " + completed + ";");
                    w.Close();
                    w.Line();
                    w.Line("return " + helperCall + completed + ", " + locals.Permit + ", " + locals.FirstOutcome + ");");
                }
                else
                {
                    w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                    w.Line("return " + locals.Task + ";");
                }

                w.Close();
                w.Line();
                w.Line("return " + helperCall + locals.Task + ", " + locals.Permit + (classifiesResult ? ", null" : string.Empty) + ");");
            }

            w.Close();

            // The slow path: an ordinary async retry loop, entered only when the first attempt did not simply succeed.
            w.Line();
            IEnumerable<string> firstAttempt = hasTimeout
                ? Array.Empty<string>()
                : new[] { m.Type + "? " + locals.FirstAttempt, "global::Sidecar.CircuitPermit " + locals.FirstPermit };
            if (classifiesResult && !hasTimeout)
            {
                firstAttempt = firstAttempt.Concat(new[] { "global::Sidecar.Outcome? " + locals.FirstOutcome });
            }

            string helperParameters = string.Join(", ", m.Parameters.Select(p => p.Type + " " + p.Name).Concat(firstAttempt));
            w.Line("private async " + m.Type + " " + helper + TypeParameterList(m.TypeParameters) + "(" + helperParameters + ")");
            Constraints(w, m.HelperConstraints);
            w.OpenBrace();
            OpenFallbackScope(w, m, locals);
            w.Line("global::System.TimeSpan " + locals.Delay + " = global::System.TimeSpan.Zero;");
            if (deadline is not null)
            {
                w.Line("global::Sidecar.CallDeadline " + deadline + " = " + pipeline + ".StartCall(" + display + ");");
            }

            w.Open("for (int " + locals.Attempt + " = 0; ; " + locals.Attempt + "++)");
            w.Line("global::Sidecar.CircuitPermit " + locals.Permit + " = default;");
            if (classifiesResult)
            {
                w.Line(m.ResultType + " " + locals.Result + ";");
            }

            w.Open("try");
            w.Line(m.Type + " " + locals.Task + ";");
            if (hasTimeout)
            {
                w.Line(locals.Permit + " = " + enter + ";");
                w.Line("global::Sidecar.AttemptTimeout " + locals.Timeout + " = " + pipeline + ".StartAttempt(" + display + ", " + token + (deadline is null ? string.Empty : ", " + deadline) + ");");

                // The attempt's timer is disposed by Watch, so the inner call's own failure, thrown before it returned a
                // task, is handed to Watch as a faulted task rather than skipping it.
                string attemptType = hasResult ? Tasks + "Task<" + m.ResultType + ">" : Tasks + "Task";
                string? attemptToken = m.CancellationToken is null ? null : locals.Timeout + ".Token";
                string call = isValueTask ? Call(m, target, attemptToken) + ".AsTask()" : GuardedCall(m, target, attemptToken);
                call = locals.Permit + ".InjectsChaos ? " + ChaoticCall(m, innerField, pipeline, display, locals, locals.Timeout + ".Token") + " : " + call;
                w.Line(attemptType + " " + locals.Inner + ";");
                w.Open("try");
                w.Line(locals.Inner + " = " + call + ";");
                w.Close();
                w.Open("catch (" + Exception + " " + locals.Exception + ")");
                w.Line(locals.Inner + " = " + (hasResult ? Tasks + "Task.FromException<" + m.ResultType + ">(" + locals.Exception + ")" : Tasks + "Task.FromException(" + locals.Exception + ")") + ";");
                w.Close();
                w.Line();
                string watched = pipeline + ".Watch(" + locals.Inner + ", " + locals.Timeout + ", " + display + ")";
                w.Line(locals.Task + " = " + (isValueTask ? "new " + m.Type + "(" + watched + ")" : watched) + ";");
            }
            else
            {
                w.Open("if (" + locals.Attempt + " == 0 && " + locals.FirstAttempt + " is { } " + locals.First + ")");
                w.Line(locals.Task + " = " + locals.First + ";");
                w.Line(locals.Permit + " = " + locals.FirstPermit + ";");
                w.Close();
                w.Open("else");
                w.Line(locals.Permit + " = " + enter + ";");
                w.Line("// Under fault injection the attempt runs through the pipeline's chaos, which may delay, fail or answer it.");
                w.Line(locals.Task + " = " + locals.Permit + ".InjectsChaos ? " + (isValueTask ? "new " + m.Type + "(" + ChaoticCall(m, innerField, pipeline, display, locals, token) + ")" : ChaoticCall(m, innerField, pipeline, display, locals, token)) + " : " + GuardedCall(m, target) + ";");
                w.Close();
            }

            w.Line();
            if (classifiesResult)
            {
                w.Line(locals.Result + " = await " + locals.Task + ".ConfigureAwait(false);");
                w.Close();
                EmitRetryCatch(w, m, pipeline, display, locals, token, deadline);
                w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
                w.Line("continue;");
                w.Close();
                w.Line();
                EmitResultVerdict(w, m, pipeline, display, locals, token, hasTimeout ? "null" : locals.Attempt + " == 0 ? " + locals.FirstOutcome + " : null", deadline);
                w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
                w.Close();
                CloseFallbackScope(w, m, pipeline, display, locals, isAsync: true);
                w.Close();
                return;
            }

            if (hasResult)
            {
                w.Line(m.ResultType + " " + locals.Result + " = await " + locals.Task + ".ConfigureAwait(false);");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return " + locals.Result + ";");
            }
            else
            {
                w.Line("await " + locals.Task + ".ConfigureAwait(false);");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return;");
            }

            w.Close();
            EmitRetryCatch(w, m, pipeline, display, locals, token, deadline);
            w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
            w.Close();
            w.Close();
            CloseFallbackScope(w, m, pipeline, display, locals, isAsync: true);
            w.Close();
        }

        /// <summary>
        /// Opens the catch of one attempt (the caller writes the wait and closes it). The retry decision gives back slots and
        /// tells observers, so it runs in the catch block, after the failing attempt has unwound (its finally blocks have
        /// run), never in an exception filter; a failure that is not retried is rethrown as it is, stack trace and all.
        /// </summary>
        private static void EmitRetryCatch(SourceWriter w, MethodModel m, string pipeline, string display, LocalNames locals, string token, string? deadline)
        {
            w.Open("catch (" + Exception + " " + locals.Exception + ")");
            string decision = m.ExceptionClassifier is not null || deadline is not null
                ? pipeline + ".ShouldRetry(" + display + ", " + locals.Exception + ", this, " + (m.ExceptionClassifier is { } classifier ? Classifier(classifier, locals) : "null") + ", " + locals.Attempt + ", " + locals.Permit + ", " + token + ", " + locals.Delay + ", out " + locals.Delay + ", out " + (m.Fallback is null || m.ExceptionClassifier is null ? "_" : locals.Outcome) + (deadline is null ? string.Empty : ", " + deadline) + ")"
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
            var carried = m.Parameters.Where(p => p.Name != m.CancellationToken).ToList();
            string state = carried.Count == 0 ? "this" : "(this, " + string.Join(", ", carried.Select(p => p.Name)) + ")";
            string self = carried.Count == 0 ? locals.ChaosState : locals.ChaosState + ".Item1";
            string inner = m.Via is null ? self + "." + innerField : "((" + m.Via + ")" + self + "." + innerField + ")";
            string arguments = string.Join(", ", m.Parameters.Select(p => p.Name == m.CancellationToken ? locals.ChaosToken : locals.ChaosState + ".Item" + (carried.IndexOf(p) + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            string call = inner + "." + m.Name + TypeParameterList(m.TypeParameters) + "(" + arguments + ")";
            call = m.ReturnKind is ReturnKind.ValueTask or ReturnKind.ValueTaskOfT
                ? call + ".AsTask()"
                : call + " ?? throw new global::System.InvalidOperationException(" + Literal(m.DisplayName + " returned null instead of a task.") + ")";
            return pipeline + ".Chaotic(" + display + ", " + state + ", (" + locals.ChaosState + ", " + locals.ChaosToken + ") => " + call + ", " + token + ")";
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
            };
        }
    }
}
