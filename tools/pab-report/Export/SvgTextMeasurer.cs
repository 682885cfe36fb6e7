using OxyPlot;

namespace Pab.Report.Export;

/// <summary>
/// Measures text for OxyPlot's SVG layout with Helvetica's metrics, in the SVG's own units. OxyPlot's default
/// measurer (its PDF context) takes a font size in pixels for points and so measures text 3/4 of the width a
/// browser draws it: axis titles then overlap the tick labels. This one only measures; it draws nothing.
/// </summary>
internal sealed class SvgTextMeasurer : RenderContextBase
{
    private const double PixelsPerPoint = 96.0 / 72.0;
    private readonly PdfRenderContext helvetica = new(1, 1, OxyColors.Transparent);

    public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
    {
        var size = helvetica.MeasureText(text, fontFamily, fontSize, fontWeight);
        return new OxySize(size.Width * PixelsPerPoint, size.Height * PixelsPerPoint);
    }

    public override int ClipCount => 0;

    public override void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter)
    {
    }

    public override void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter)
    {
    }

    public override void DrawText(ScreenPoint p, string text, OxyColor fill, string fontFamily, double fontSize, double fontWeight, double rotation, HorizontalAlignment halign, VerticalAlignment valign, OxySize? maxSize)
    {
    }

    public override void PopClip()
    {
    }

    public override void PushClip(OxyRect clippingRectangle)
    {
    }
}
