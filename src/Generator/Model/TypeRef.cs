namespace Sidecar.Generators.Model
{
    /// <summary>A type as generated code writes it and as a reader reads it.</summary>
    /// <param name="FullyQualified">With <c>global::</c> and nullable annotations: <c>global::Shop.IOrderService</c>.</param>
    /// <param name="Readable">
    /// For documentation and messages: <c>Shop.IOrderService</c>; <c>null</c> where nothing shows the type to a reader
    /// (parameter and return types), since the display string costs as much as the fully qualified one and the parse
    /// runs again after every edit.
    /// </param>
    internal sealed record TypeRef(string FullyQualified, string? Readable)
    {
        /// <summary><c>void</c>, which is both.</summary>
        public static TypeRef Void { get; } = new("void", "void");

        /// <inheritdoc/>
        public override string ToString() => FullyQualified;
    }
}
