using System.Reflection;

namespace Pab.Tests.Vm;

/// <summary>The VM trait marks exactly the classes whose tests boot a guest.</summary>
public class VmTraitTests
{
    private static bool IsVmTest(MethodInfo m) =>
        m.GetCustomAttribute<VmFactAttribute>() != null || m.GetCustomAttribute<VmTheoryAttribute>() != null;

    private static bool HasVmTrait(Type t) =>
        t.GetCustomAttributes<TraitAttribute>().Any() &&
        t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments.Select(c => c.Value as string).SequenceEqual([VmTraits.Category, VmTraits.Vm]));

    [Fact]
    public void EveryClassWithVmTestsCarriesTheTraitAndNoOtherDoes()
    {
        var classes = typeof(VmTraitTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FactAttribute>() != null)).ToList();
        var withVm = classes.Where(t => t.GetMethods().Any(IsVmTest)).ToList();
        Assert.NotEmpty(withVm);
        Assert.All(withVm, t => Assert.True(HasVmTrait(t), $"{t.Name} has VM tests but not the {VmTraits.Category}={VmTraits.Vm} trait"));
        Assert.All(classes.Except(withVm), t => Assert.False(HasVmTrait(t), $"{t.Name} carries the VM trait but boots no guest"));
        // A class of VM tests holds nothing else: the fast filter must not skip a fast test.
        Assert.All(withVm, t => Assert.All(t.GetMethods().Where(m => m.GetCustomAttribute<FactAttribute>() != null),
            m => Assert.True(IsVmTest(m), $"{t.Name}.{m.Name} is a fast test in a class of VM tests")));
    }
}
