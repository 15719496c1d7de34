package org.subnetlab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.statistics.StatisticalCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's chart types, drawn with JFreeChart and serialised as inline SVG by JFreeSVG:
 * grouped bars, bars with error bars (mean ± std), annotated heatmaps and line charts.
 */
final class Charts {
  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  static final Font CELL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 9);
  private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

  private Charts() {}

  /** The chart as a standalone {@code <svg>} element of the given size. */
  static String svg(JFreeChart chart, int width, int height) {
    SVGGraphics2D g2 = new SVGGraphics2D(width, height);
    g2.setGeomDoubleConverter(v -> decimals(v, 10)); // a tenth of a pixel: half the page size
    g2.setTransformDoubleConverter(v -> decimals(v, 1000));
    chart.draw(g2, new Rectangle(0, 0, width, height));
    return g2.getSVGElement();
  }

  /** Grouped vertical bars on a value axis from 0 to {@code upper} (null: automatic). */
  static JFreeChart bars(String title, String categories, String values, CategoryDataset data,
      Double upper) {
    CategoryAxis x = new CategoryAxis(categories);
    NumberAxis y = new NumberAxis(values);
    if (upper != null) {
      y.setRange(0, upper);
    }
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.02);
    return finish(title, categoryPlot(data, x, y, r, TAB10), true);
  }

  /** Bars of means with ± one standard deviation as error bars. */
  static JFreeChart meanStdBars(String title, String categories, String values,
      StatisticalCategoryDataset data, Double upper, boolean paired) {
    CategoryAxis x = new CategoryAxis(categories);
    NumberAxis y = new NumberAxis(values);
    if (upper != null) {
      y.setRange(0, upper);
    }
    StatisticalBarRenderer r = new StatisticalBarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setErrorIndicatorPaint(Color.DARK_GRAY);
    r.setItemMargin(0.02);
    return finish(title, categoryPlot(data, x, y, r, paired ? TAB20 : TAB10), true);
  }

  private static CategoryPlot categoryPlot(
      CategoryDataset data, CategoryAxis x, NumberAxis y, BarRenderer r, Paint[] palette) {
    for (int i = 0; i < data.getRowCount(); i++) {
      r.setSeriesPaint(i, palette[i % palette.length]);
    }
    if (data.getColumnCount() > 6) {
      x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
    CategoryPlot plot = new CategoryPlot(data, x, y, r);
    plot.setOrientation(PlotOrientation.VERTICAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    return plot;
  }

  /**
   * A heatmap of {@code values[row][col]} (NaN: no value, drawn blank), each cell annotated with
   * its value and, when {@code notes} has one there, a second smaller line.
   */
  static JFreeChart heatmap(String title, String rowAxis, List<String> rows, String colAxis,
      List<String> cols, double[][] values, String[][] notes, double lo, double hi) {
    int n = 0;
    for (double[] row : values) {
      for (double v : row) {
        n += Double.isNaN(v) ? 0 : 1;
      }
    }
    double[][] xyz = new double[3][n];
    int k = 0;
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols.size(); c++) {
        if (!Double.isNaN(values[r][c])) {
          xyz[0][k] = c;
          xyz[1][k] = r;
          xyz[2][k] = values[r][c];
          k++;
        }
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("values", xyz);
    SymbolAxis x = new SymbolAxis(colAxis, cols.toArray(String[]::new));
    SymbolAxis y = new SymbolAxis(rowAxis, rows.toArray(String[]::new));
    x.setGridBandsVisible(false);
    y.setGridBandsVisible(false);
    x.setRange(-0.5, cols.size() - 0.5);
    y.setRange(-0.5, rows.size() - 0.5);
    y.setInverted(true);
    if (cols.size() > 5) {
      x.setVerticalTickLabels(true);
    }
    XYBlockRenderer r = new XYBlockRenderer();
    Scale scale = new Scale(lo, hi);
    r.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    for (int row = 0; row < rows.size(); row++) {
      for (int c = 0; c < cols.size(); c++) {
        double v = values[row][c];
        if (Double.isNaN(v)) {
          continue;
        }
        Color ink = scale.darkness(v) > 0.55 ? Color.WHITE : Color.BLACK;
        boolean note = notes != null && notes[row][c] != null;
        XYTextAnnotation a = new XYTextAnnotation(
            String.format(Locale.ROOT, "%.2f", v), c, note ? row - 0.12 : row);
        a.setFont(CELL);
        a.setPaint(ink);
        a.setTextAnchor(TextAnchor.CENTER);
        plot.addAnnotation(a);
        if (note) {
          XYTextAnnotation b = new XYTextAnnotation(notes[row][c], c, row + 0.2);
          b.setFont(SMALL);
          b.setPaint(ink);
          b.setTextAnchor(TextAnchor.CENTER);
          plot.addAnnotation(b);
        }
      }
    }
    JFreeChart chart = finish(title, plot, false);
    NumberAxis legendAxis = new NumberAxis();
    legendAxis.setRange(lo, hi);
    legendAxis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(niceStep((hi - lo) / 5)));
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(10, 6, 30, 6));
    legend.setStripWidth(12);
    chart.addSubtitle(legend);
    return chart;
  }

  /** Lines of (x, y) series; the y axis from 0 to {@code upper} when given. */
  static JFreeChart lines(String title, String xLabel, String yLabel, XYSeriesCollection data,
      Double upper) {
    NumberAxis x = new NumberAxis(xLabel);
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis(yLabel);
    if (upper != null) {
      y.setRange(0, upper);
    } else {
      y.setAutoRangeIncludesZero(false);
    }
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int s = 0; s < data.getSeriesCount(); s++) {
      r.setSeriesStroke(s, new BasicStroke(1.4f));
      r.setSeriesPaint(s, TAB10[s % TAB10.length]);
    }
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    return finish(title, plot, true);
  }

  /** {@code v} rounded to 1/scale (scale a power of ten), without trailing zeros. */
  static String decimals(double v, long scale) {
    if (!Double.isFinite(v)) {
      return "0";
    }
    long r = Math.round(v * scale);
    String sign = r < 0 ? "-" : "";
    long a = Math.abs(r);
    long frac = a % scale;
    if (frac == 0) {
      return sign + a / scale;
    }
    StringBuilder f = new StringBuilder(Long.toString(frac + scale).substring(1));
    while (f.charAt(f.length() - 1) == '0') {
      f.setLength(f.length() - 1);
    }
    return sign + a / scale + "." + f;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** Tableau's 10 categorical colours (matplotlib's default cycle). */
  static final Paint[] TAB10 = colors(0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
      0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf);
  /** Tableau's 20: pairs of a dark and a light shade, for "mask" vs "random control" series. */
  static final Paint[] TAB20 = colors(0x1f77b4, 0xaec7e8, 0xff7f0e, 0xffbb78, 0x2ca02c,
      0x98df8a, 0xd62728, 0xff9896, 0x9467bd, 0xc5b0d5);

  private static Paint[] colors(int... rgb) {
    Paint[] p = new Paint[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      p[i] = new Color(rgb[i]);
    }
    return p;
  }

  private static JFreeChart finish(String title, org.jfree.chart.plot.Plot plot, boolean legend) {
    JFreeChart chart = new JFreeChart(title, TITLE, plot, legend);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    return chart;
  }

  /** White to dark blue (perceptually ordered), clamped to [lo, hi]. */
  static final class Scale implements PaintScale {
    private final double lo;
    private final double hi;

    Scale(double lo, double hi) {
      this.lo = lo;
      this.hi = hi > lo ? hi : lo + 1;
    }

    @Override
    public double getLowerBound() {
      return lo;
    }

    @Override
    public double getUpperBound() {
      return hi;
    }

    double darkness(double v) {
      return Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
    }

    @Override
    public Paint getPaint(double v) {
      double t = darkness(v);
      // from #f7fbff through #6baed6 to #08306b (a sequential "Blues" ramp)
      double[][] stops = {{0xf7, 0xfb, 0xff}, {0x6b, 0xae, 0xd6}, {0x08, 0x30, 0x6b}};
      double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
      double[] a = stops[t < 0.5 ? 0 : 1];
      double[] b = stops[t < 0.5 ? 1 : 2];
      return new Color((int) Math.round(a[0] + (b[0] - a[0]) * u),
          (int) Math.round(a[1] + (b[1] - a[1]) * u), (int) Math.round(a[2] + (b[2] - a[2]) * u));
    }
  }
}
