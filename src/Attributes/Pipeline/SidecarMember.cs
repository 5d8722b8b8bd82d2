using System;
using System.ComponentModel;

namespace Sidecar
{
    /// <summary>
    /// One decorated member, as generated code names it to its <see cref="SidecarPipeline"/>: made once per sidecar class
    /// (<see cref="SidecarService.Member"/>), so a call passes a handle that already knows its place among the service's
    /// members instead of a name to look up. A name converts to a handle too (for pipelines used by hand); such a handle is
    /// looked up by name.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class SidecarMember
    {
        internal SidecarMember(SidecarService? service, string name, int index)
        {
            Service = service;
            Name = name;
            Index = index;
        }

        /// <summary>The member's name, as telemetry and overrides use it.</summary>
        public string Name { get; }

        /// <summary>The name of the service whose member this is, or <c>null</c> for a handle made from a name.</summary>
        public string? ServiceName => Service?.Name;

        /// <summary>The service whose member this is, or <c>null</c> for a handle made from a name.</summary>
        internal SidecarService? Service { get; }

        /// <summary>The member's position in <see cref="SidecarService.Members"/>, or -1.</summary>
        internal int Index { get; }

        /// <summary>A handle known by its name only.</summary>
        /// <param name="name">The member's name.</param>
        public static implicit operator SidecarMember(string name) => new(null, name ?? throw new ArgumentNullException(nameof(name)), -1);

        /// <inheritdoc/>
        public override string ToString() => Name;
    }
}
