using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sidecar.Benchmarks.CompileTime
{
    /// <summary>
    /// A project of <see cref="DefaultServiceCount"/> files, each with a <c>[Sidecar]</c> interface of ten members of the usual
    /// shapes (sync, <c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c>, <c>ValueTask&lt;T&gt;</c>, <c>out</c>, a
    /// cancellation token) and the class that implements it, plus one file that has nothing to do with them.
    /// Parsed once; every benchmark builds its compilations from these trees, as the compiler does after parsing.
    /// </summary>
    public sealed class SyntheticProject
    {
        /// <summary>Interfaces in the measured project.</summary>
        public const int DefaultServiceCount = 1000;

        /// <summary>Members of each interface.</summary>
        public const int MembersPerService = 10;

        private static readonly ImmutableArray<MetadataReference> s_references =
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(SidecarAttribute).Assembly.Location))
                .ToImmutableArray();

        private static readonly CSharpCompilationOptions s_options = new(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            nullableContextOptions: NullableContextOptions.Enable);

        private SyntheticProject(ImmutableArray<SyntaxTree> trees, int serviceCount, int unrelatedIndex, int editedServiceIndex)
        {
            Trees = trees;
            ServiceCount = serviceCount;
            UnrelatedIndex = unrelatedIndex;
            EditedServiceIndex = editedServiceIndex;
        }

        /// <summary>Parse options of every tree (the latest language version).</summary>
        public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

        /// <summary>Interfaces in the project.</summary>
        public int ServiceCount { get; }

        /// <summary>The parsed files.</summary>
        public ImmutableArray<SyntaxTree> Trees { get; }

        /// <summary>Index in <see cref="Trees"/> of the file that declares no service.</summary>
        public int UnrelatedIndex { get; }

        /// <summary>Index in <see cref="Trees"/> of the service the "edit one interface" benchmark changes.</summary>
        public int EditedServiceIndex { get; }

        /// <summary>Writes and parses the project.</summary>
        public static SyntheticProject Create(int serviceCount = DefaultServiceCount)
        {
            var trees = new List<SyntaxTree> { Parse(Shared, "Shared.cs") };
            for (int i = 0; i < serviceCount; i++)
            {
                trees.Add(Parse(Service(i), "Services/Service" + i + ".cs"));
            }

            trees.Add(Parse(Unrelated, "Unrelated.cs"));
            return new SyntheticProject(trees.ToImmutableArray(), serviceCount, trees.Count - 1, 1 + (serviceCount / 2));
        }

        /// <summary>A new compilation of the project as written.</summary>
        public CSharpCompilation Compilation() => Compile(Trees);

        /// <summary>A new compilation where the unrelated file was edited (a member added).</summary>
        public CSharpCompilation CompilationWithUnrelatedEdit() => Compile(Trees.SetItem(UnrelatedIndex, EditedUnrelated()));

        /// <summary>A new compilation where one interface's <c>[Sidecar]</c> settings were edited.</summary>
        public CSharpCompilation CompilationWithInterfaceEdit() => Compile(Trees.SetItem(EditedServiceIndex, EditedService()));

        private SyntaxTree EditedUnrelated()
        {
            SyntaxTree tree = Trees[UnrelatedIndex];
            string text = tree.GetText().ToString();
            return tree.WithChangedText(tree.GetText().Replace(text.LastIndexOf("public int Count"), 0, "public int Edited => 2;\n        "));
        }

        private SyntaxTree EditedService()
        {
            SyntaxTree tree = Trees[EditedServiceIndex];
            string text = tree.GetText().ToString();
            const string Settings = "Retries = 3";
            return tree.WithChangedText(tree.GetText().Replace(text.IndexOf(Settings), Settings.Length, "Retries = 4"));
        }

        private static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees)
            => CSharpCompilation.Create("Synthetic", trees, s_references, s_options);

        private static SyntaxTree Parse(string source, string path)
            => CSharpSyntaxTree.ParseText(source, ParseOptions, path, Encoding.UTF8);

        private const string Shared = """
            namespace Synthetic
            {
                public sealed record Item(int Id, string Name, decimal Price);
            }
            """;

        private const string Unrelated = """
            namespace Synthetic
            {
                public sealed class Unrelated
                {
                    public int Count => 1;
                }
            }
            """;

        private static string Service(int i) => $$"""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Sidecar;

            namespace Synthetic.Area{{i / 100}}
            {
                [Sidecar(Retries = 3, Delay = 50, Backoff = Backoff.Exponential, FailureThreshold = 5, BreakDuration = 5000)]
                public interface IService{{i}}
                {
                    int Count(string? filter);
                    Item Get(int id);
                    void Touch(int id);
                    bool TryFind(string key, out Item? item);
                    IReadOnlyList<Item> List(int page, int size);
                    Task<Item?> FindAsync(string key, CancellationToken cancellationToken = default);
                    Task<int> CountAsync(CancellationToken cancellationToken = default);
                    Task SaveAsync(Item item, CancellationToken cancellationToken = default);
                    ValueTask<int> SizeAsync(int id);
                    ValueTask PingAsync();
                }

                public sealed class Service{{i}} : IService{{i}}
                {
                    private readonly List<Item> _items = new() { new Item({{i}}, "item {{i}}", {{i}}m) };

                    public int Count(string? filter) => filter is null ? _items.Count : _items.FindAll(x => x.Name.Contains(filter)).Count;
                    public Item Get(int id) => _items.Find(x => x.Id == id) ?? throw new KeyNotFoundException(id.ToString());
                    public void Touch(int id) => _items.Add(Get(id) with { Price = 0m });
                    public bool TryFind(string key, out Item? item) { item = _items.Find(x => x.Name == key); return item is not null; }
                    public IReadOnlyList<Item> List(int page, int size) => _items.GetRange(page * size, size);
                    public Task<Item?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_items.Find(x => x.Name == key));
                    public async Task<int> CountAsync(CancellationToken cancellationToken = default) { await Task.Yield(); return _items.Count; }
                    public Task SaveAsync(Item item, CancellationToken cancellationToken = default) { _items.Add(item); return Task.CompletedTask; }
                    public ValueTask<int> SizeAsync(int id) => new(_items.Count);
                    public ValueTask PingAsync() => default;
                }
            }
            """;
    }
}
