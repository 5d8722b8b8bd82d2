using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // Member signatures and plain forwarding: methods without a policy, properties, indexers and events.
    internal static partial class SidecarEmitter
    {
        /// <summary>The declaration line of a member: modifiers, type, name, type parameters and parameters.</summary>
        private static string Signature(MemberModel m, bool withDefaults = true)
        {
            string modifiers = (m.ExplicitInterface is null ? "public " : string.Empty) + (m.IsUnsafe ? "unsafe " : string.Empty);
            string name = m.ExplicitInterface is null ? m.Name : m.ExplicitInterface + "." + m.Name;
            return modifiers + m.ReturnRefKind + m.Type + " " + name + m.TypeParameters + "(" + ParameterList(m, withDefaults) + ")";
        }

        private static string ParameterList(MemberModel m, bool withDefaults)
            => string.Join(", ", m.Parameters.Select(p =>
                (p.Attributes.Length > 0 ? p.Attributes + " " : string.Empty)
                + (p.IsParams ? "params " : string.Empty)
                + (p.IsScoped ? "scoped " : string.Empty)
                + p.RefKind + p.Type + " " + p.Name
                + (withDefaults && p.DefaultValue is not null ? " = " + p.DefaultValue : string.Empty)));

        /// <summary>The call to the inner instance; <paramref name="token"/> replaces the CancellationToken argument.</summary>
        private static string Call(MemberModel m, string target, string? token = null)
            => target + "." + m.Name + m.TypeParameters + "("
               + string.Join(", ", m.Parameters.Select(p => token is not null && p.Name == m.CancellationToken ? token : p.Argument)) + ")";

        /// <summary>
        /// The call to the inner instance of an asynchronous member; a <c>Task</c> that is <c>null</c> (a bug in the inner
        /// instance) becomes an <see cref="InvalidOperationException"/>, one failed attempt like any other, whatever the policy.
        /// </summary>
        private static string GuardedCall(MemberModel m, string target, string? token = null)
            => m.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT
                ? Call(m, target, token) + " ?? throw new global::System.InvalidOperationException(" + Literal(m.DisplayName + " returned null instead of a task.") + ")"
                : Call(m, target, token);

        private static void Header(SourceWriter w, MemberModel m)
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

        private static void EmitForwardingMethod(SourceWriter w, MemberModel m, string target)
        {
            Header(w, m);
            w.Line(Signature(m));
            Constraints(w, m.Constraints);
            w.Line("    => " + (m.ReturnRefKind.Length > 0 ? "ref " : string.Empty) + Call(m, target) + ";");
        }

        private static void EmitProperty(SourceWriter w, MemberModel m, string target)
        {
            string modifiers = (m.ExplicitInterface is null ? "public " : string.Empty) + (m.IsUnsafe ? "unsafe " : string.Empty);
            string name = m.ExplicitInterface is null ? m.Name : m.ExplicitInterface + "." + m.Name;
            string access = m.Kind == MemberKind.Indexer
                ? target + "[" + string.Join(", ", m.Parameters.Select(p => p.Argument)) + "]"
                : target + "." + m.Name;
            string declaration = modifiers + m.ReturnRefKind + m.Type + " " + name
                + (m.Kind == MemberKind.Indexer ? "[" + ParameterList(m, withDefaults: m.ExplicitInterface is null) + "]" : string.Empty);
            w.Line("/// <inheritdoc/>");
            if (m.ReturnAttributes.Length > 0)
            {
                w.Line(m.ReturnAttributes);
            }

            if (m.HasGetter && !m.HasSetter)
            {
                w.Line(declaration + " => " + (m.ReturnRefKind.Length > 0 ? "ref " : string.Empty) + access + ";");
                return;
            }

            w.Line(declaration);
            w.Line("{");
            if (m.HasGetter)
            {
                string getter = m.ReturnRefKind.Length > 0 ? "get => ref " : "get => ";
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

        private static void EmitEvent(SourceWriter w, MemberModel m, string target)
        {
            string modifiers = (m.ExplicitInterface is null ? "public " : string.Empty) + (m.IsUnsafe ? "unsafe " : string.Empty);
            string name = m.ExplicitInterface is null ? m.Name : m.ExplicitInterface + "." + m.Name;
            w.Line("/// <inheritdoc/>");
            w.Line(modifiers + "event " + m.Type + " " + name);
            w.Line("{");
            w.Line("    add => " + target + "." + m.Name + " += value;");
            w.Line("    remove => " + target + "." + m.Name + " -= value;");
            w.Line("}");
        }
    }
}
