using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The solution's test assemblies, read from their built files without loading them: every project with
/// &lt;IsTestProject&gt;true&lt;/IsTestProject&gt;, and every [Category("…")] string (or constant) in each.
/// </summary>
public static partial class TestAssemblies
{
    public sealed record Built(string Project, string AssemblyName, string Path);

    /// <summary>The test projects of the repository and where their assemblies are built in the given configuration (this run's, by default).</summary>
    public static IReadOnlyList<Built> All(string? configuration = null)
    {
        configuration ??= CurrentConfiguration();
        var root = TestSettings.RepositoryRoot();
        var list = new List<Built>();
        foreach (var proj in Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (proj.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(proj);
            if (!text.Contains("<IsTestProject>true</IsTestProject>", StringComparison.Ordinal)) continue;
            var name = AssemblyNameRegex().Match(text) is { Success: true } m ? m.Groups[1].Value : System.IO.Path.GetFileNameWithoutExtension(proj);
            var dir = System.IO.Path.GetDirectoryName(proj)!;
            list.Add(new Built(System.IO.Path.GetFileName(dir), name, System.IO.Path.Combine(dir, "bin", configuration, "net10.0", name + ".dll")));
        }
        return list;
    }

    /// <summary>Where the report tool (Report/) is built in the given configuration (this run's, by default).</summary>
    public static string ReportAssembly(string? configuration = null) =>
        System.IO.Path.Combine(TestSettings.RepositoryRoot(), "Report", "bin", configuration ?? CurrentConfiguration(), "net10.0", "LoopedIcl.Report.dll");

    /// <summary>Debug or Release: the folder this assembly was built into.</summary>
    public static string CurrentConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        int bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
    }

    /// <summary>Every NUnit [Category] argument in an assembly (on fixtures and tests), read from its metadata.</summary>
    public static IReadOnlySet<string> Categories(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, arguments) in Uses(md, "NUnit.Framework", "CategoryAttribute"))
        {
            var blob = arguments;
            if (blob.ReadSerializedString() is { } category) found.Add(category);
        }
        return found;
    }

    /// <summary>
    /// The classes of an assembly marked with an attribute (defined in another assembly) whose one constructor argument is an int-based enum,
    /// with that argument: e.g. the report's section writers and their <c>ReportSection</c>. Read from metadata without loading the assembly.
    /// </summary>
    public static IReadOnlyList<(string Class, int Argument)> MarkedClasses(string assemblyPath, string attributeNamespace, string attributeName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var found = new List<(string, int)>();
        foreach (var (attr, arguments) in Uses(md, attributeNamespace, attributeName))
        {
            if (attr.Parent.Kind != HandleKind.TypeDefinition) continue;
            var blob = arguments;
            found.Add((md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)attr.Parent).Name), blob.ReadInt32()));
        }
        return found;
    }

    /// <summary>The uses of an attribute type referenced from another assembly, each with its argument blob past the prolog.</summary>
    private static IEnumerable<(CustomAttribute Attribute, BlobReader Arguments)> Uses(MetadataReader md, string attributeNamespace, string attributeName)
    {
        foreach (var handle in md.CustomAttributes)
        {
            var attr = md.GetCustomAttribute(handle);
            if (attr.Constructor.Kind != HandleKind.MemberReference) continue;
            var ctor = md.GetMemberReference((MemberReferenceHandle)attr.Constructor);
            if (ctor.Parent.Kind != HandleKind.TypeReference) continue;
            var type = md.GetTypeReference((TypeReferenceHandle)ctor.Parent);
            if (md.GetString(type.Name) != attributeName || md.GetString(type.Namespace) != attributeNamespace) continue;
            var blob = md.GetBlobReader(attr.Value);
            if (blob.ReadUInt16() != 1) continue; // the custom-attribute prolog
            yield return (attr, blob);
        }
    }

    /// <summary>Every type of an assembly (full name) with the names of its methods, read from its metadata without loading it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Methods(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var types = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var name = md.GetString(type.Namespace) is { Length: > 0 } ns ? ns + "." + md.GetString(type.Name) : md.GetString(type.Name);
            types[name] = type.GetMethods().Select(m => md.GetString(md.GetMethodDefinition(m).Name)).ToHashSet(StringComparer.Ordinal);
        }
        return types;
    }

    /// <summary>Every string literal of an assembly's code (its user-string heap), read without loading it.</summary>
    public static IReadOnlyList<string> StringLiterals(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var list = new List<string>();
        for (var h = MetadataTokens.UserStringHandle(1); !h.IsNil; h = md.GetNextHandle(h)) list.Add(md.GetUserString(h));
        return list;
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameRegex();
}
