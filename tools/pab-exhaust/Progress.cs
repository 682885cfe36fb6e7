using System.Globalization;
using System.Text;
using static Pab.Exhaust.ExhaustNative;

namespace Pab.Exhaust;

/// <summary>Progress on stderr, formatted into stack memory and written with write(2) so the parent allocates nothing while the child fills.</summary>
public static unsafe class Progress
{
    public static bool TryFormat(Span<char> dest, int iteration, int iterations, long filledBytes, double bytesPerSecond, out int written) =>
        dest.TryWrite(CultureInfo.InvariantCulture,
            $"\rpab-exhaust: iteration {iteration + 1}/{iterations}: {filledBytes / (double)(1 << 30):0.000} GiB filled, {bytesPerSecond / (1 << 30):0.00} GiB/s   ",
            out written);

    public static void Write(int iteration, int iterations, long filledBytes, double bytesPerSecond)
    {
        Span<char> chars = stackalloc char[160];
        Span<byte> bytes = stackalloc byte[160];
        if (!TryFormat(chars, iteration, iterations, filledBytes, bytesPerSecond, out int n)) return;
        int len = Encoding.ASCII.GetBytes(chars[..n], bytes);
        fixed (byte* p = bytes) write(2, p, (nuint)len);
    }

    public static void EndLine()
    {
        byte nl = (byte)'\n';
        write(2, &nl, 1);
    }
}
