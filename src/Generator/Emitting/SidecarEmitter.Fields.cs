using System.Collections.Generic;
using System.Linq;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // The static policy fields and service description, the instance fields, and the constructor that fills them.
    internal static partial class SidecarEmitter
    {
        private static void EmitFields(SourceWriter w, ServiceModel model, string? circuitConstant, string? serviceField, Dictionary<string, string> memberHandles, string[] innerFields, string[] policyFields, string[] pipelineFields, string[] transientMethods)
        {
            if (circuitConstant is not null && serviceField is not null)
            {
                w.Line("/// <summary>");
                w.Line("/// The name of this service's circuit, bulkhead and retry budget in <see cref=\"global::Sidecar.CircuitBreakerRegistry\"/>,");
                w.Line("/// in telemetry (<c>sidecar.circuit</c>) and in <see cref=\"global::Sidecar.SidecarOptions.Overrides\"/>. A member with circuit");
                w.Line("/// settings of its own has a circuit of its own, named after the member.");
                w.Line("/// </summary>");
                w.Line("public const string " + circuitConstant + " = " + Literal(model.ServiceName) + ";");
                w.Line();

                // The member-name array is written once, here: pipelines and override checks read it from the description.
                IEnumerable<MethodModel> decorated = model.Members.OfType<MethodModel>().Where(m => m.IsDecorated);
                var arguments = new List<string> { circuitConstant, NamesLiteral(decorated) };
                if (decorated.Any(m => model.Policies[m.PolicyIndex].CircuitName != model.ServiceName))
                {
                    arguments.Add("membersWithOwnCircuit: " + NamesLiteral(decorated.Where(m => model.Policies[m.PolicyIndex].CircuitName != model.ServiceName)));
                }

                if (model.ServiceAliases.Count > 0)
                {
                    arguments.Add("aliases: " + StringArrayLiteral(model.ServiceAliases));
                }

                w.Line("/// <summary>");
                w.Line("/// This sidecar's names and members, as <see cref=\"global::Sidecar.SidecarOptions.Overrides\"/> may name them"
                    + (model.ServiceAliases.Count > 0 ? " (the class's name or an interface's, full or simple)" : string.Empty) + ": for");
                w.Line("/// <see cref=\"global::Sidecar.SidecarOptions.ValidateOverrides\"/> at start-up.");
                w.Line("/// </summary>");
                w.Line("public static readonly global::Sidecar.SidecarService " + serviceField + " = new global::Sidecar.SidecarService(");
                for (int a = 0; a < arguments.Count; a++)
                {
                    w.Line("    " + arguments[a] + (a == arguments.Count - 1 ? ");" : ","));
                }

                w.Line();

                // The handles the members pass to their pipeline, made once: each knows its place among the members.
                foreach (KeyValuePair<string, string> handle in memberHandles)
                {
                    w.Line("private static readonly global::Sidecar.SidecarMember " + handle.Value + " = " + serviceField + ".Member(" + Literal(handle.Key) + ");");
                }

                w.Line();
            }

            for (int i = 0; i < model.Policies.Count; i++)
            {
                PolicyModel p = model.Policies[i];
                w.Line("private static readonly global::Sidecar.SidecarPolicy " + policyFields[i] + " = new global::Sidecar.SidecarPolicy(");
                // Only what differs from the catalogue's defaults, which are the constructor's defaults too.
                var arguments = new List<string> { "circuitName: " + Literal(p.CircuitName) };
                foreach (Knob knob in Knobs.All)
                {
                    if (knob.IsScalar && p.Values[knob.Id] != knob.Default)
                    {
                        arguments.Add(knob.ParameterName + ": " + KnobLiteral(knob, p.Values[knob.Id]));
                    }
                }

                if (p.Fallback is not null)
                {
                    arguments.Add("fallback: true");
                }

                if (transientMethods[i].Length > 0)
                {
                    arguments.Add("isTransient: " + transientMethods[i]);
                }

                for (int a = 0; a < arguments.Count; a++)
                {
                    w.Line("    " + arguments[a] + (a == arguments.Count - 1 ? ");" : ","));
                }

                w.Line();
            }

            for (int i = 0; i < model.Inners.Count; i++)
            {
                w.Line("private readonly " + model.Inners[i].Type + " " + innerFields[i] + ";");
            }

            foreach (string pipeline in pipelineFields)
            {
                w.Line("private readonly global::Sidecar.SidecarPipeline " + pipeline + ";");
            }
        }

        private static void EmitConstructor(SourceWriter w, ServiceModel model, string? serviceField, string[] innerFields, string[] policyFields, string[] pipelineFields)
        {
            w.Line();
            w.Line("/// <summary>Wraps the instance that does the work.</summary>");
            foreach (InnerModel inner in model.Inners)
            {
                w.Line("/// <param name=\"" + inner.ParameterName.TrimStart('@') + "\">The decorated instance; every call is forwarded to it.</param>");
            }

            w.Line("/// <param name=\"options\">Clock, circuit breaker registry, observer and run-time overrides; <c>null</c> for the defaults.</param>");
            string parameters = string.Join(", ", model.Inners.Select(i => i.Type + " " + i.ParameterName));
            w.Open("public " + model.ClassName + "(" + parameters + ", global::Sidecar.SidecarOptions? options = null)");
            for (int i = 0; i < model.Inners.Count; i++)
            {
                InnerModel inner = model.Inners[i];
                w.Line(innerFields[i] + " = " + inner.ParameterName + " ?? throw new global::System.ArgumentNullException(nameof(" + inner.ParameterName + "));");
            }

            if (serviceField is not null)
            {
                // Run-time overrides name members: a name that matches none is a mistake worth an exception.
                w.Line("global::Sidecar.SidecarPipeline.CheckOverrides(" + serviceField + ", options);");
            }

            for (int i = 0; i < pipelineFields.Length; i++)
            {
                // Each pipeline learns which members it serves (when it is not all of them), and which knobs their own
                // [Sidecar] set (a service-wide override leaves those alone).
                PolicyModel policy = model.Policies[i];
                string arguments = serviceField + ", " + policyFields[i] + ", options";
                if (pipelineFields.Length > 1 || policy.OwnKnobs.Count > 0)
                {
                    arguments += ", " + (pipelineFields.Length > 1 ? NamesLiteral(model.Members.OfType<MethodModel>().Where(m => m.PolicyIndex == i)) : "null")
                        + ", " + StringArrayLiteral(policy.OwnKnobs);
                }

                w.Line(pipelineFields[i] + " = new global::Sidecar.SidecarPipeline(" + arguments + ");");
            }

            w.Close();
        }
    }
}
