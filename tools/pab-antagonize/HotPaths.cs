using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Pab.Antagonize;

/// <summary>
/// Compiles the workers' loop now. ReadyToRun leaves AggressiveOptimization methods to the JIT, which
/// would otherwise compile them (and grow our memory) at the first allocation: inside the antagonized
/// phase only, so our footprint would differ between the phases.
/// </summary>
public static class HotPaths
{
    public static void Prepare()
    {
        Prepare(typeof(Worker));
        Prepare(typeof(Reservoir));
        Prepare(typeof(LatencyHistogram));
        Prepare(typeof(ModulePageSource));
    }

    private static void Prepare([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var m in type.GetMethods(all))
            if (!m.IsGenericMethodDefinition && !m.IsAbstract && (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
                RuntimeHelpers.PrepareMethod(m.MethodHandle);
    }
}
