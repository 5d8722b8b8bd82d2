using System;
using System.Collections.Generic;
using System.Linq;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // Member signatures and plain forwarding: methods without a policy, properties, indexers and events.
    internal static partial class SidecarEmitter
    {
        /// <summary>"public " for an implicit implementation, plus "unsafe " when the signature uses pointers.</summary>
        private static string Modifiers(MemberModel m)
            => (m.ExplicitInterface is null ? "public " : string.Empty) + (m.IsUnsafe ? "unsafe " : string.Empty);

        /// <summary>The member's name, qualified by its interface when it is implemented explicitly.</summary>
        private static string DeclaredName(MemberModel m)
            => m.ExplicitInterface is null ? m.Name : m.ExplicitInterface + "." + m.Name;

        /// <summary>The declaration line of a method: modifiers, type, name, type parameters and parameters.</summary>
        private static string Signature(MethodModel m, bool withDefaults = true)
            => Modifiers(m) + ReturnRefText(m.ReturnRefKind) + m.Type + " " + DeclaredName(m) + TypeParameterList(m.TypeParameters)
               + "(" + ParameterList(m.Parameters, withDefaults) + ")";

        private static string ParameterList(EquatableArray<ParameterModel> parameters, bool withDefaults)
            => string.Join(", ", parameters.Select(p =>
                (p.Attributes.Length > 0 ? p.Attributes + " " : string.Empty)
                + (p.IsParams ? "params " : string.Empty)
                + (p.IsScoped ? "scoped " : string.Empty)
                + RefKindText(p.RefKind) + p.Type + " " + p.Name
                + (withDefaults && p.DefaultValue is not null ? " = " + p.DefaultValue : string.Empty)));

        /// <summary>The call to the inner instance; <paramref name="token"/> replaces the CancellationToken argument.</summary>
        private static string Call(MethodModel m, string target, string? token = null)
            => target + "." + m.Name + TypeParameterList(m.TypeParameters) + "("
               + string.Join(", ", m.Parameters.Select(p => token is not null && p.Name == m.CancellationToken ? token : Argument(p))) + ")";

        /// <summary>
        /// The call to the inner instance of an asynchronous member; a <c>Task</c> that is <c>null</c> (a bug in the inner
        /// instance) becomes an <see cref="InvalidOperationException"/>, one failed attempt like any other, whatever the policy.
        /// </summary>
        private static string GuardedCall(MethodModel m, string target, string? token = null)
            => m.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT
                ? Call(m, target, token) + " ?? throw new global::System.InvalidOperationException(" + Literal(m.DisplayName + " returned null instead of a task.") + ")"
                : Call(m, target, token);

        private static void Header(SourceWriter w, MethodModel m)
        {
            if (m.ReturnAttributes.Length > 0)
            {
                w.Line(m.ReturnAttributes);
            }
        }

        private static void Constraints(SourceWriter w, IEnumerable<string> constraints)
        {
            foreach (string constraint in constraints)
            {
                w.Line("    " + constraint);
            }
        }

        private static void EmitForwardingMethod(SourceWriter w, MethodModel m, string target)
        {
            Header(w, m);
            w.Line(Signature(m));
            Constraints(w, m.Constraints);
            w.Line("    => " + (m.ReturnRefKind != Microsoft.CodeAnalysis.RefKind.None ? "ref " : string.Empty) + Call(m, target) + ";");
        }

        private static void EmitProperty(SourceWriter w, PropertyModel m, string target)
        {
            string access = m.IsIndexer
                ? target + "[" + string.Join(", ", m.Parameters.Select(Argument)) + "]"
                : target + "." + m.Name;
            string declaration = Modifiers(m) + ReturnRefText(m.ReturnRefKind) + m.Type + " " + DeclaredName(m)
                + (m.IsIndexer ? "[" + ParameterList(m.Parameters, withDefaults: m.ExplicitInterface is null) + "]" : string.Empty);
            bool byRef = m.ReturnRefKind != Microsoft.CodeAnalysis.RefKind.None;
            w.Line("/// <inheritdoc/>");
            if (m.Attributes.Length > 0)
            {
                w.Line(m.Attributes);
            }

            if (m.HasGetter && !m.HasSetter)
            {
                w.Line(declaration + " => " + (byRef ? "ref " : string.Empty) + access + ";");
                return;
            }

            w.Line(declaration);
            w.Line("{");
            if (m.HasGetter)
            {
                string getter = byRef ? "get => ref " : "get => ";
                w.Line("    " + getter + access + ";");
            }

            if (m.HasSetter && m.IsInitOnly)
            {
                w.Line("    " + "init => throw new global::System.NotSupportedException(" + Literal("An init-only member cannot be forwarded to an existing instance: set '" + m.DisplayName + "' on the inner instance.") + ");");
            }
            else if (m.HasSetter)
            {
                w.Line("    " + "set => " + access + " = value;");
            }

            w.Line("}");
        }

        private static void EmitEvent(SourceWriter w, EventModel m, string target)
        {
            w.Line("/// <inheritdoc/>");
            w.Line(Modifiers(m) + "event " + m.Type + " " + DeclaredName(m));
            w.Line("{");
            w.Line("    add => " + target + "." + m.Name + " += value;");
            w.Line("    remove => " + target + "." + m.Name + " -= value;");
            w.Line("}");
        }
    }
}
