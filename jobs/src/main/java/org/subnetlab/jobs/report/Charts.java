package org.subnetlab.jobs.report;

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
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.statistics.StatisticalCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.XYZDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's chart types, drawn with JFreeChart and serialised as inline SVG by JFreeSVG: grouped
 * bars, bars with error bars (mean ± std), annotated heatmaps and line charts.
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
  static JFreeChart bars(
      String title, String categories, String values, CategoryDataset data, Double upper) {
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
  static JFreeChart meanStdBars(
      String title,
      String categories,
      String values,
      StatisticalCategoryDataset data,
      Double upper,
      boolean paired) {
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
  static JFreeChart heatmap(
      String title,
      String rowAxis,
      List<String> rows,
      String colAxis,
      List<String> cols,
      double[][] values,
      String[][] notes,
      double lo,
      double hi) {
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
        XYTextAnnotation a =
            new XYTextAnnotation(String.format(Locale.ROOT, "%.2f", v), c, note ? row - 0.12 : row);
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
  static JFreeChart lines(
      String title, String xLabel, String yLabel, XYSeriesCollection data, Double upper) {
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

  /** One grid point of a regularisation path: means and stds over seeds, and its label. */
  record PathPoint(
      String label,
      double density,
      double densityStd,
      double accuracy,
      double accuracyStd,
      boolean selected) {}

  /**
   * The density–accuracy trade-off of one method on one subtask: each grid point at (mean density,
   * mean subnetwork accuracy) with ± one std over seeds in both directions and its label, the full
   * model's accuracy as a horizontal line, and the selected point ringed.
   */
  static JFreeChart regularisationPath(String title, List<PathPoint> points, double full) {
    XYIntervalSeries grid = new XYIntervalSeries("grid points (mean ± std over seeds)", true, true);
    XYSeries selected = new XYSeries("selected (most often)", true, true);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (PathPoint p : points) {
      grid.add(
          p.density(),
          p.density() - p.densityStd(),
          p.density() + p.densityStd(),
          p.accuracy(),
          p.accuracy() - p.accuracyStd(),
          p.accuracy() + p.accuracyStd());
      if (p.selected()) {
        selected.add(p.density(), p.accuracy());
      }
      lo = Math.min(lo, p.density() - p.densityStd());
      hi = Math.max(hi, p.density() + p.densityStd());
    }
    XYSeries fullLine = new XYSeries("full model", true, true);
    double pad = Math.max(1e-3, (hi - lo) * 0.05);
    fullLine.add(Math.max(0, lo - pad), full);
    fullLine.add(hi + pad, full);
    // Explicit ranges: equal accuracies would give a degenerate automatic axis, and the labels
    // of the densest point need room on the right.
    double ylo = full;
    double yhi = full;
    for (PathPoint p : points) {
      ylo = Math.min(ylo, p.accuracy() - p.accuracyStd());
      yhi = Math.max(yhi, p.accuracy() + p.accuracyStd());
    }
    double ypad = Math.max(0.02, (yhi - ylo) * 0.1);
    NumberAxis x = new NumberAxis("whole-model density");
    x.setRange(Math.max(0, lo - pad), hi + pad + (hi - lo) * 0.15);
    NumberAxis y = new NumberAxis("subnetwork accuracy (own subtask)");
    y.setRange(Math.max(0, ylo - ypad), Math.min(yhi + ypad, Math.max(yhi, 1.0) + 0.005));
    XYIntervalSeriesCollection gridData = new XYIntervalSeriesCollection();
    gridData.addSeries(grid);
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDefaultLinesVisible(true);
    r.setSeriesPaint(0, TAB10[0]);
    r.setErrorPaint(Color.DARK_GRAY);
    XYPlot plot = new XYPlot(gridData, x, y, r);
    XYSeriesCollection marks = new XYSeriesCollection();
    marks.addSeries(selected);
    marks.addSeries(fullLine);
    XYLineAndShapeRenderer m = new XYLineAndShapeRenderer();
    m.setSeriesLinesVisible(0, false);
    m.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-7, -7, 14, 14));
    m.setSeriesShapesFilled(0, false);
    m.setSeriesStroke(0, new BasicStroke(2f));
    m.setSeriesPaint(0, TAB10[3]);
    m.setSeriesShapesVisible(1, false);
    m.setSeriesPaint(1, Color.GRAY);
    m.setSeriesStroke(
        1,
        new BasicStroke(
            1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    plot.setDataset(1, marks);
    plot.setRenderer(1, m);
    for (PathPoint p : points) {
      XYTextAnnotation a = new XYTextAnnotation(p.label(), p.density(), p.accuracy());
      a.setFont(SMALL);
      a.setTextAnchor(TextAnchor.BOTTOM_LEFT);
      plot.addAnnotation(a);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    return finish(title, plot, true);
  }

  /**
   * The numbers a chart draws, as JSON, for readers and tests that check a figure against the
   * tables: per dataset its kind and, per series, the points (category charts: category, value and
   * std where there is one; heatmaps: row, column, value; xy charts: x, y and the intervals where
   * there are some).
   */
  static String data(JFreeChart chart) {
    StringBuilder sb =
        new StringBuilder("{\"title\":")
            .append(json(chart.getTitle() == null ? "" : chart.getTitle().getText()))
            .append(",\"datasets\":[");
    if (chart.getPlot() instanceof CategoryPlot p) {
      for (int d = 0; d < p.getDatasetCount(); d++) {
        CategoryDataset ds = p.getDataset(d);
        if (ds == null) {
          continue;
        }
        comma(sb).append("{\"kind\":\"category\",\"series\":[");
        for (int r = 0; r < ds.getRowCount(); r++) {
          comma(sb)
              .append("{\"name\":")
              .append(json(String.valueOf(ds.getRowKey(r))))
              .append(",\"points\":[");
          for (int c = 0; c < ds.getColumnCount(); c++) {
            Number v = ds.getValue(r, c);
            if (v == null) {
              continue;
            }
            comma(sb)
                .append("{\"category\":")
                .append(json(String.valueOf(ds.getColumnKey(c))))
                .append(",\"value\":")
                .append(num(v.doubleValue()));
            if (ds instanceof StatisticalCategoryDataset st && st.getStdDevValue(r, c) != null) {
              sb.append(",\"std\":").append(num(st.getStdDevValue(r, c).doubleValue()));
            }
            sb.append('}');
          }
          sb.append("]}");
        }
        sb.append("]}");
      }
    } else if (chart.getPlot() instanceof XYPlot p) {
      for (int d = 0; d < p.getDatasetCount(); d++) {
        XYDataset ds = p.getDataset(d);
        if (ds == null) {
          continue;
        }
        if (ds instanceof XYZDataset z
            && p.getDomainAxis() instanceof SymbolAxis xs
            && p.getRangeAxis() instanceof SymbolAxis ys) {
          comma(sb).append("{\"kind\":\"heatmap\",\"cells\":[");
          for (int i = 0; i < z.getItemCount(0); i++) {
            comma(sb)
                .append("{\"row\":")
                .append(json(ys.getSymbols()[(int) z.getYValue(0, i)]))
                .append(",\"col\":")
                .append(json(xs.getSymbols()[(int) z.getXValue(0, i)]))
                .append(",\"value\":")
                .append(num(z.getZValue(0, i)))
                .append('}');
          }
          sb.append("]}");
          continue;
        }
        comma(sb).append("{\"kind\":\"xy\",\"series\":[");
        for (int s = 0; s < ds.getSeriesCount(); s++) {
          comma(sb)
              .append("{\"name\":")
              .append(json(String.valueOf(ds.getSeriesKey(s))))
              .append(",\"points\":[");
          for (int i = 0; i < ds.getItemCount(s); i++) {
            comma(sb)
                .append("{\"x\":")
                .append(num(ds.getXValue(s, i)))
                .append(",\"y\":")
                .append(num(ds.getYValue(s, i)));
            if (ds instanceof IntervalXYDataset iv && !(ds instanceof XYSeriesCollection)) {
              sb.append(",\"x_low\":")
                  .append(num(iv.getStartXValue(s, i)))
                  .append(",\"x_high\":")
                  .append(num(iv.getEndXValue(s, i)))
                  .append(",\"y_low\":")
                  .append(num(iv.getStartYValue(s, i)))
                  .append(",\"y_high\":")
                  .append(num(iv.getEndYValue(s, i)));
            }
            sb.append('}');
          }
          sb.append("]}");
        }
        sb.append("]}");
      }
      if (!p.getAnnotations().isEmpty()) {
        comma(sb).append("{\"kind\":\"labels\",\"labels\":[");
        for (Object a : p.getAnnotations()) {
          if (a instanceof XYTextAnnotation t) {
            comma(sb)
                .append("{\"text\":")
                .append(json(t.getText()))
                .append(",\"x\":")
                .append(num(t.getX()))
                .append(",\"y\":")
                .append(num(t.getY()))
                .append('}');
          }
        }
        sb.append("]}");
      }
    }
    return sb.append("]}").toString();
  }

  /** A comma unless the JSON text ends an opening bracket. */
  private static StringBuilder comma(StringBuilder sb) {
    char c = sb.charAt(sb.length() - 1);
    return c == '[' || c == '{' ? sb : sb.append(',');
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /** A JSON string literal; {@code <} escaped so the text cannot close the script element. */
  static String json(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '<' -> sb.append("\\u003c");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
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
  static final Paint[] TAB10 =
      colors(
          0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22,
          0x17becf);

  /** Tableau's 20: pairs of a dark and a light shade, for "mask" vs "random control" series. */
  static final Paint[] TAB20 =
      colors(
          0x1f77b4, 0xaec7e8, 0xff7f0e, 0xffbb78, 0x2ca02c, 0x98df8a, 0xd62728, 0xff9896, 0x9467bd,
          0xc5b0d5);

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
      return new Color(
          (int) Math.round(a[0] + (b[0] - a[0]) * u),
          (int) Math.round(a[1] + (b[1] - a[1]) * u),
          (int) Math.round(a[2] + (b[2] - a[2]) * u));
    }
  }
}
