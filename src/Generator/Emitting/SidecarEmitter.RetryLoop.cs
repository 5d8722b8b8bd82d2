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
            // A hedged member's attempts run side by side in rounds, each attempt under a token of its own (a loser is
            // cancelled through it), so it takes the slow path like a timed member.
            bool hedged = policy.Hedging > 0;
            bool hasTimeout = policy.Timeout > 0 || hasDeadline || hedged;
            // Every timed member keeps a deadline (default without TotalTimeout), so an override can give it one at run time.
            string? deadline = hasTimeout ? locals.Deadline : null;
            bool classifiesResult = hasResult && m.ResultClassifier is not null;
            string helper = names.Allocate(m.DisplayName + "WithRetries");
            string token = m.CancellationToken ?? "default";
            string arguments = string.Join(", ", m.Parameters.Select(p => p.Name));
            string helperCall = helper + TypeParameterList(m.TypeParameters) + "(" + arguments + (arguments.Length > 0 ? ", " : string.Empty);

            // With a bulkhead queue, an attempt that finds every slot taken waits for one (in order) instead of failing.
            string enter = policy.Values.IsOn(Catalogue.KnobId.MaxQueue) && policy.Values.IsOn(Catalogue.KnobId.MaxConcurrency)
                ? "await " + pipeline + ".EnterAsync(" + display + ", " + locals.Attempt + ", " + token + (deadline is null ? string.Empty : ", " + deadline) + ").ConfigureAwait(false)"
                : pipeline + ".Enter(" + display + ", " + locals.Attempt + ")";

            Header(w, m);
            w.Line(Signature(m));
            Constraints(w, m.Constraints);
            w.OpenBrace();
            if (hasTimeout)
            {
                w.Line(hedged
                    ? "// Every attempt may be hedged by others beside it, each under a token of its own, so even the first one goes through the retry loop."
                    : hasDeadline
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

            if (hedged)
            {
                EmitHedgedAttempt(w, m, innerField, pipeline, display, locals, token, deadline!, enter, hasResult, classifiesResult);
                return;
            }

            w.Open("try");
            w.Line(m.Type + " " + locals.Task + ";");
            if (hasTimeout)
            {
                // A deadline already past fails the attempt before it takes a permit, a probe or a slot.
                w.Line(pipeline + ".CheckDeadline(" + display + ", " + deadline + ");");
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
            EmitAttemptEnd(w, m, pipeline, display, locals, token, deadline, "await " + locals.Task + ".ConfigureAwait(false)", null, hasTimeout ? "null" : locals.Attempt + " == 0 ? " + locals.FirstOutcome + " : null", hasResult, classifiesResult);
        }

        /// <summary>
        /// The end of one attempt of the async retry loop, from the expression that yields its outcome (<paramref name="value"/>,
        /// which throws for a failure) to the verdict: success, the retry decision in the catch (with the outcome already
        /// known, <paramref name="knownFailure"/>, if any), or the verdict on a classified result (<paramref name="knownResult"/>).
        /// Closes the attempt's try, the loop, the fallback scope and the method.
        /// </summary>
        private static void EmitAttemptEnd(SourceWriter w, MethodModel m, string pipeline, string display, LocalNames locals, string token, string? deadline, string value, string? knownFailure, string knownResult, bool hasResult, bool classifiesResult)
        {
            if (classifiesResult)
            {
                w.Line(locals.Result + " = " + value + ";");
                w.Close();
                EmitRetryCatch(w, m, pipeline, display, locals, token, deadline, knownFailure);
                w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
                w.Line("continue;");
                w.Close();
                w.Line();
                EmitResultVerdict(w, m, pipeline, display, locals, token, knownResult, deadline);
                w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
                w.Close();
                CloseFallbackScope(w, m, pipeline, display, locals, isAsync: true);
                w.Close();
                return;
            }

            if (hasResult)
            {
                w.Line(m.ResultType + " " + locals.Result + " = " + value + ";");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return " + locals.Result + ";");
            }
            else
            {
                w.Line(value + ";");
                w.Line(pipeline + ".OnSuccess(" + display + ", " + locals.Permit + ");");
                w.Line("return;");
            }

            w.Close();
            EmitRetryCatch(w, m, pipeline, display, locals, token, deadline, knownFailure);
            w.Line("await " + pipeline + ".DelayAsync(" + locals.Delay + ", " + token + ").ConfigureAwait(false);");
            w.Close();
            w.Close();
            CloseFallbackScope(w, m, pipeline, display, locals, isAsync: true);
            w.Close();
        }

        /// <summary>
        /// The body of a hedged member's retry loop: each attempt is a round the pipeline runs (<c>Hedge</c>), which hands
        /// back the attempt that speaks for it with that attempt's permit; the loop gives its verdict like any attempt's.
        /// </summary>
        private static void EmitHedgedAttempt(SourceWriter w, MethodModel m, string innerField, string pipeline, string display, LocalNames locals, string token, string deadline, string enter, bool hasResult, bool classifiesResult)
        {
            string? resultClassifier = m.ResultClassifier is { } forResults && hasResult ? Classifier(forResults, locals) : null;
            string exceptionClassifier = m.ExceptionClassifier is { } forExceptions ? Classifier(forExceptions, locals) : "null";
            (string state, string lambda) = CapturedCall(m, innerField, locals);
            string round = "await " + pipeline + ".Hedge(" + display + ", " + locals.Attempt + ", " + locals.Permit + ", " + state + ", " + lambda + ", this, "
                + (hasResult ? (resultClassifier ?? "null") + ", " : string.Empty) + exceptionClassifier + ", " + token + ", " + deadline + ").ConfigureAwait(false)";
            // How the round classified the attempt that speaks for it: the loop does not ask Classify again.
            w.Line("global::Sidecar.Outcome? " + locals.FirstOutcome + " = null;");
            w.Open("try");
            w.Line("// A deadline already past fails the attempt before it takes a permit, a probe or a slot.");
            w.Line(pipeline + ".CheckDeadline(" + display + ", " + deadline + ");");
            w.Line(locals.Permit + " = " + enter + ";");
            w.Line("var " + locals.Hedged + " = " + round + ";");
            w.Line(locals.Permit + " = " + locals.Hedged + ".Permit;");
            w.Line(locals.FirstOutcome + " = " + locals.Hedged + ".Outcome;");
            EmitAttemptEnd(w, m, pipeline, display, locals, token, deadline, locals.Hedged + ".GetResult()", locals.FirstOutcome, locals.FirstOutcome, hasResult, classifiesResult);
        }
    }
}
