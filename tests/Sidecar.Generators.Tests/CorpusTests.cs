using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators.Parsing;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Sidecar.Generators.Tests
{
    /// <summary>
    /// Every public interface of the .NET 8 reference assemblies gets a class-form sidecar, all in one compilation:
    /// the generator must not fail on any, and what it generates must compile without errors or warnings.
    /// Interfaces that cannot be decorated must get a diagnostic that says so.
    /// </summary>
    public class CorpusTests
    {
        private readonly ITestOutputHelper _output;

        public CorpusTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Every_public_interface_of_the_base_class_library_is_decorated_or_rejected_with_a_diagnostic()
            => CheckCorpus(TestCompilation.References, ".NET 8 reference assemblies");

        /// <summary>
        /// The same over the reference pack of the SDK that runs the tests (.NET 10): C# 13's <c>allows ref struct</c>,
        /// newer nullability and <c>[Experimental]</c> members.
        /// </summary>
        [Fact]
        public void Every_public_interface_of_the_newest_reference_pack_is_decorated_or_rejected_with_a_diagnostic()
        {
            string dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
            string framework = "net" + Environment.Version.ToString(2);
            string? pack = Directory.GetDirectories(Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"))
                .Select(d => Path.Combine(d, "ref", framework))
                .Where(Directory.Exists)
                .OrderByDescending(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))), out Version? v) ? v : new Version())
                .FirstOrDefault();
            Assert.True(pack is not null, "no " + framework + " reference pack under " + dotnetRoot);
            string version = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(pack)))!;
            MetadataReference[] references = Directory.GetFiles(pack, "*.dll")
                .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f))
                .Append(MetadataReference.CreateFromFile(typeof(SidecarAttribute).Assembly.Location))
                .ToArray();
            CheckCorpus(references, "the .NET " + version + " reference pack");
        }

        private void CheckCorpus(IEnumerable<MetadataReference> referenceSet, string corpus)
        {
            CSharpCompilation references = TestCompilation.Create(Array.Empty<string>(), allowUnsafe: true, references: referenceSet);
            var interfaces = new List<INamedTypeSymbol>();
            int obsoleteAsError = 0;
            foreach (IAssemblySymbol assembly in references.SourceModule.ReferencedAssemblySymbols.Where(a => a.Name != "Sidecar"))
            {
                foreach (INamedTypeSymbol type in AllTypes(assembly.GlobalNamespace))
                {
                    if (type.TypeKind != TypeKind.Interface || !IsPublic(type))
                    {
                        continue;
                    }

                    if (type.GetAttributes().Any(a => a.AttributeClass?.Name == "ObsoleteAttribute" && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[1].Value is true))
                    {
                        obsoleteAsError++; // a class cannot even list it without a compile error of its own
                        continue;
                    }

                    interfaces.Add(type);
                }
            }

            var source = new StringBuilder("using Sidecar;\nnamespace Corpus {\n");
            for (int i = 0; i < interfaces.Count; i++)
            {
                INamedTypeSymbol iface = interfaces[i];
                ITypeParameterSymbol[] typeParameters = AllTypeParameters(iface).ToArray();
                source.Append("[Sidecar] public partial class Decorated").Append(i)
                    .Append(SymbolText.TypeParameterList(typeParameters))
                    .Append(" : ").Append(iface.ToDisplayString(SymbolText.TypeFormat));
                foreach (string constraint in SymbolText.Constraints(typeParameters))
                {
                    source.Append(' ').Append(constraint);
                }

                source.Append(" { }\n");
            }

            source.Append("}\n");
            CSharpCompilation compilation = TestCompilation.Create(new[] { source.ToString() }, allowUnsafe: true, references: referenceSet);
            GeneratorResult result = TestCompilation.Run(compilation);

            Diagnostic[] internalErrors = result.Diagnostics.Where(d => d.Id == "SIDECAR000").ToArray();
            Diagnostic[] rejections = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "SIDECAR000").ToArray();
            int forwardedInfos = result.Diagnostics.Count(d => d.Id == "SIDECAR004");
            int generated = result.Sources.Count();
            IReadOnlyList<Diagnostic> generatedProblems = result.GeneratedCodeProblems;

            _output.WriteLine(corpus + ":");
            _output.WriteLine($"public interfaces: {interfaces.Count + obsoleteAsError}, skipped as [Obsolete(error: true)]: {obsoleteAsError}");
            _output.WriteLine($"decorated: {generated}, rejected with a diagnostic: {rejections.Length} ({string.Join(", ", rejections.GroupBy(d => d.Id).Select(g => g.Key + " x" + g.Count()))})");
            _output.WriteLine($"members forwarded without retry (SIDECAR004): {forwardedInfos}");
            _output.WriteLine($"generator exceptions: {internalErrors.Length}, errors or warnings in generated code: {generatedProblems.Count}");
            foreach (Diagnostic d in rejections.Take(20))
            {
                _output.WriteLine("  " + d.GetMessage());
            }

            Assert.True(internalErrors.Length == 0, result.Describe(internalErrors.Take(20)));
            Assert.True(generatedProblems.Count == 0, generatedProblems.Count + " problems, first ones:\n" + result.Describe(generatedProblems.Take(40)));
            Assert.Equal(interfaces.Count, generated + rejections.Length);

            // Exactly the interfaces with static abstract members (generic math, COM marshalling) are rejected, each with SIDECAR003.
            int withStaticAbstract = interfaces.Count(i => i.AllInterfaces.Add(i).SelectMany(t => t.GetMembers()).Any(m => m.IsStatic && m.IsAbstract));
            Assert.Equal(withStaticAbstract, rejections.Length);
            Assert.All(rejections, d => Assert.Equal("SIDECAR003", d.Id));
        }

        private static IEnumerable<ITypeParameterSymbol> AllTypeParameters(INamedTypeSymbol type)
            => (type.ContainingType is null ? Enumerable.Empty<ITypeParameterSymbol>() : AllTypeParameters(type.ContainingType)).Concat(type.TypeParameters);

        private static bool IsPublic(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility != Accessibility.Public)
                {
                    return false;
                }
            }

            return true;
        }

        private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
        {
            foreach (INamedTypeSymbol type in ns.GetTypeMembers())
            {
                foreach (INamedTypeSymbol nested in WithNested(type))
                {
                    yield return nested;
                }
            }

            foreach (INamespaceSymbol child in ns.GetNamespaceMembers())
            {
                foreach (INamedTypeSymbol type in AllTypes(child))
                {
                    yield return type;
                }
            }
        }

        private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
        {
            yield return type;
            foreach (INamedTypeSymbol nested in type.GetTypeMembers().SelectMany(WithNested))
            {
                yield return nested;
            }
        }
    }
}
