using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Model
{
    /// <summary>A diagnostic as plain data: descriptor id, place and message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments)
            => new(descriptor.Id, location, arguments.Select(a => a?.ToString() ?? string.Empty).ToEquatableArray());

        public Diagnostic ToDiagnostic()
            => Diagnostic.Create(
                Diagnostics.DiagnosticDescriptors.ById(Id),
                Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
                Arguments.Cast<object>().ToArray());
    }
}
