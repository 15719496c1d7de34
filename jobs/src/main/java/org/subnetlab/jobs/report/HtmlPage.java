package org.subnetlab.jobs.report;

import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * A self-contained HTML page: sections of text, tables and figures (inline SVG, with their numbers
 * as JSON), with a table of contents. Nothing is loaded from elsewhere. A short script records, for
 * the browser test, how many figures rendered with a non-empty drawing and any script error on the
 * page.
 */
final class HtmlPage {
  private final String title;
  private final String subtitle;
  private final List<String[]> toc = new ArrayList<>();
  private final StringBuilder body = new StringBuilder();
  private int figures;
  private String openSection;

  HtmlPage(String title, String subtitle) {
    this.title = title;
    this.subtitle = subtitle;
  }

  int figures() {
    return figures;
  }

  HtmlPage section(String id, String heading, String intro) {
    closeSection();
    toc.add(new String[] {id, heading});
    body.append("<section id=\"")
        .append(esc(id))
        .append("\">\n<h2>")
        .append(esc(heading))
        .append("</h2>\n");
    if (intro != null) {
      body.append("<p>").append(esc(intro)).append("</p>\n");
    }
    openSection = id;
    return this;
  }

  HtmlPage subheading(String text) {
    body.append("<h3>").append(esc(text)).append("</h3>\n");
    return this;
  }

  HtmlPage paragraph(String text) {
    body.append("<p>").append(esc(text)).append("</p>\n");
    return this;
  }

  /**
   * A figure: the chart as inline SVG with a caption, and the numbers it draws as JSON ({@link
   * Charts#data}) in a {@code <script type="application/json" class="figure-data">} element inside
   * the figure, so that a reader (or a test) can check them against the tables.
   */
  HtmlPage figure(String id, JFreeChart chart, int width, int height, String caption) {
    figures++;
    body.append("<figure class=\"chart\" id=\"fig-")
        .append(esc(id))
        .append("\">\n")
        .append(Charts.svg(chart, width, height))
        .append("\n<figcaption>")
        .append(esc(caption))
        .append("</figcaption>\n<script type=\"application/json\" class=\"figure-data\">")
        .append(Charts.data(chart))
        .append("</script>\n</figure>\n");
    return this;
  }

  /** A table of text cells; the first row is the header. */
  HtmlPage table(List<String[]> rows) {
    body.append("<table>\n");
    for (int i = 0; i < rows.size(); i++) {
      String cell = i == 0 ? "th" : "td";
      body.append("<tr>");
      for (String v : rows.get(i)) {
        body.append('<')
            .append(cell)
            .append('>')
            .append(esc(v))
            .append("</")
            .append(cell)
            .append('>');
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  private void closeSection() {
    if (openSection != null) {
      body.append("</section>\n");
      openSection = null;
    }
  }

  String render() {
    closeSection();
    StringBuilder sb = new StringBuilder(body.length() + 4096);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n<script>\n")
        .append(SELF_CHECK)
        .append("</script>\n</head>\n")
        .append("<body data-figures=\"")
        .append(figures)
        .append("\">\n<header>\n<h1>")
        .append(esc(title))
        .append("</h1>\n<p>")
        .append(esc(subtitle))
        .append("</p>\n<nav><ul>\n");
    for (String[] t : toc) {
      sb.append("<li><a href=\"#")
          .append(esc(t[0]))
          .append("\">")
          .append(esc(t[1]))
          .append("</a></li>\n");
    }
    sb.append("</ul></nav>\n</header>\n<main>\n")
        .append(body)
        .append("</main>\n</body>\n</html>\n");
    return sb.toString();
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private static final String CSS =
      """
      body { font-family: sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 1.5em;
             color: #222; }
      header { border-bottom: 1px solid #ccc; margin-bottom: 1em; }
      nav ul { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; list-style: none; padding: 0; }
      section { margin-bottom: 2.5em; }
      figure.chart { display: inline-block; margin: 0.5em 1em 1em 0; vertical-align: top;
                     max-width: 100%; }
      figure.chart svg { max-width: 100%; height: auto; border: 1px solid #eee; }
      figcaption { font-size: 0.85em; color: #555; max-width: 640px; }
      table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
      th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
      th { background: #f3f3f3; }
      td:first-child, td:nth-child(2) { text-align: left; }
      """;

  private static final String SELF_CHECK =
      """
      (function () {
        var errors = 0;
        window.addEventListener('error', function () {
          errors++;
          if (document.body) { document.body.setAttribute('data-errors', String(errors)); }
        });
        window.addEventListener('load', function () {
          var ok = 0;
          document.querySelectorAll('figure.chart').forEach(function (f) {
            var svg = f.querySelector('svg');
            var box = svg ? svg.getBoundingClientRect() : null;
            var marks = svg ? svg.querySelectorAll('rect, path, line, polyline, polygon').length : 0;
            var good = box !== null && box.width > 50 && box.height > 50 && marks > 10;
            f.setAttribute('data-rendered', good ? 'yes' : 'no');
            if (good) { ok++; }
          });
          document.body.setAttribute('data-figures-rendered', String(ok));
          document.body.setAttribute('data-errors', String(errors));
        });
      })();
      """;
}
