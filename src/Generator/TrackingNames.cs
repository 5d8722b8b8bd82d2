namespace Sidecar.Generators
{
    /// <summary>Names of the pipeline steps, so tests can check that each stays cached.</summary>
    internal static class TrackingNames
    {
        public const string Types = nameof(Types);
        public const string Methods = nameof(Methods);
        public const string Models = nameof(Models);
        public const string MethodModels = nameof(MethodModels);
        public const string Capabilities = nameof(Capabilities);
    }
}
