using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Model
{
    /// <summary>A diagnostic as plain data: descriptor id, place and message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments)
            => new(descriptor.Id, location, arguments.Select(a => a?.ToString() ?? string.Empty).ToEquatableArray());

        /// <summary>The diagnostic, reported at <paramref name="location"/> (the place in the user's tree this one names).</summary>
        public Diagnostic ToDiagnostic(Location location)
            => Diagnostic.Create(Diagnostics.DiagnosticDescriptors.ById(Id), location, Arguments.Cast<object>().ToArray());
    }
}
