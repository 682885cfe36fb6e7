using System.Text;

namespace Pab.Report.Export;

/// <summary>Text made safe for HTML and XML.</summary>
internal static class HtmlText
{
    /// <summary>Escapes the five XML specials, after Clean.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in Clean(text))
        {
            string? entity = c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => null };
            if (entity != null) sb.Append(entity);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Replaces characters XML cannot hold (control characters, lone surrogates) by U+FFFD.</summary>
    public static string Clean(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            bool ok = !char.IsSurrogate(c) && System.Xml.XmlConvert.IsXmlChar(c);
            if (ok && sb == null) continue;
            sb ??= new StringBuilder(text, 0, i, text.Length);
            sb.Append(ok ? c : '\uFFFD');
        }
        return sb?.ToString() ?? text;
    }
}
