package dev.flowkit.runtime.output;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG figures of a run, drawn with XChart: samples over data, trajectories, the loss curve. */
public final class Plots {
    private static final Color DATA = new Color(150, 150, 150, 90);
    private static final Color SAMPLES = new Color(31, 119, 180, 140);
    private static final Color SOURCE = new Color(40, 40, 40, 200);
    private static final Color PATH = new Color(255, 127, 14, 60);
    private static final Color PATH_POINTS = new Color(255, 127, 14, 120);
    private static final int SIZE = 800;
    private static final int PANEL = 340;

    private Plots() {}

    /** Generated samples over a faint scatter of true data, equal aspect (first two coordinates). */
    public static void samples(Path file, String title, float[][] samples, float[][] data) throws IOException {
        XYChart chart = square(title, bounds(samples, data));
        scatter(chart, "data (fresh draws)", data, DATA, 3);
        scatter(chart, "samples", samples, SAMPLES, 3);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Samples alone (first two coordinates), equal aspect. */
    public static void samples(Path file, String title, float[][] samples) throws IOException {
        XYChart chart = square(title, bounds(samples, new float[0][]));
        scatter(chart, "samples", samples, SAMPLES, 3);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Paths of up to [maxPaths] trajectories from source (dark) to sample (blue). */
    public static void trajectories(Path file, String title, float[][][] trajectory, int maxPaths) throws IOException {
        int n = Math.min(maxPaths, trajectory[0].length);
        float[][] start = Arrays.copyOf(trajectory[0], n);
        float[][] end = Arrays.copyOf(trajectory[trajectory.length - 1], n);
        XYChart chart = square(title, bounds(start, end));
        for (int i = 0; i < n; i++) {
            double[] xs = new double[trajectory.length];
            double[] ys = new double[trajectory.length];
            for (int r = 0; r < trajectory.length; r++) {
                xs[r] = trajectory[r][i][0];
                ys[r] = trajectory[r][i][1];
            }
            XYSeries s = chart.addSeries("path " + i, xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(PATH);
            s.setLineStyle(new BasicStroke(1f));
            s.setShowInLegend(false);
        }
        scatter(chart, "t = 0 (source)", start, SOURCE, 4);
        scatter(chart, "t = 1 (samples)", end, SAMPLES, 4);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Mean training loss per logging window against step (log axis when it spans decades). */
    public static void loss(Path file, String title, List<double[]> stepAndLoss) throws IOException {
        BitmapEncoder.saveBitmap(lineChart(title, "loss", stepAndLoss), file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** One line chart per named series of (step, value) points, stacked in a column (e.g. metrics during training). */
    public static void curves(Path file, String title, Map<String, List<double[]>> series) throws IOException {
        List<XYChart> charts = new java.util.ArrayList<>();
        series.forEach((name, points) -> charts.add(lineChart(charts.isEmpty() ? title : "", name, points)));
        BitmapEncoder.saveBitmap(charts, charts.size(), 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * One line per named series of (NFE, value) points on a log NFE axis, and optionally a dashed reference level
     * (e.g. the metric the run's own sampler reached).
     */
    public static void againstNfe(Path file, String title, String yTitle, Map<String, List<double[]>> series, String levelName,
                                  Double level) throws IOException {
        XYChart chart = new XYChartBuilder().width(SIZE).height(SIZE * 2 / 3).title(title).xAxisTitle("network evaluations (NFE)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        double lo = Double.MAX_VALUE;
        double hi = 0;
        double yLo = level == null ? Double.MAX_VALUE : level;
        double yHi = level == null ? 0 : level;
        for (var e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            for (double v : x) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (double v : y) {
                yLo = Math.min(yLo, v);
                yHi = Math.max(yHi, v);
            }
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        // a sampler that fails at some NFE would flatten every other curve on a linear axis
        if (yLo > 0 && yHi / yLo > 20) chart.getStyler().setYAxisLogarithmic(true);
        if (level != null && hi > 0) {
            XYSeries s = chart.addSeries(levelName, new double[] {lo, hi}, new double[] {level, level});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            s.setLineColor(Color.GRAY);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Grouped bars: one group per [categories] entry (e.g. the values of a sweep's first axis), one bar per series
     * (the other axes' combinations); NaN leaves a gap; [floor] (null: none) a dashed line per group, e.g. the metric's
     * noise floor.
     */
    public static void comparison(Path file, String title, String xTitle, String yTitle, List<String> categories,
                                  Map<String, double[]> series, double[] floor) throws IOException {
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(SIZE).height(SIZE * 5 / 8).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 45 : 0);
        // a linear axis always: XChart's bars start at zero, so it refuses a log axis for any bar chart
        for (var e : series.entrySet()) {
            chart.addSeries(e.getKey(), categories, gapsForNaN(e.getValue()));
        }
        if (floor != null && java.util.Arrays.stream(floor).anyMatch(Double::isFinite)) {
            var line = chart.addSeries("noise floor (data vs data)", categories, gapsForNaN(floor));
            line.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
            line.setLineColor(Color.DARK_GRAY);
            line.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            line.setMarker(SeriesMarkers.NONE);
            chart.getStyler().setLegendVisible(true);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** XChart leaves a null out of a category series: a missing (NaN) value shows as a gap. */
    private static List<Double> gapsForNaN(double[] values) {
        return java.util.Arrays.stream(values).boxed().map(v -> Double.isFinite(v) ? v : null).toList();
    }

    private static XYChart lineChart(String title, String yTitle, List<double[]> points) {
        XYChart chart = new XYChartBuilder().width(SIZE).height(SIZE / 2).title(title).xAxisTitle("step").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        // A log axis only helps (and only gets tick labels) when the values span more than a decade or so.
        double min = points.stream().mapToDouble(p -> p[1]).min().orElse(1);
        double max = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min > 20);
        double[] steps = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] values = points.stream().mapToDouble(p -> p[1]).toArray();
        if (steps.length == 0) {
            steps = new double[] {0};
            values = new double[] {1};
        }
        XYSeries s = chart.addSeries(yTitle, steps, values);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(points.size() <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(new Color(31, 119, 180));
        s.setMarkerColor(new Color(31, 119, 180));
        return chart;
    }

    /**
     * The probability path at several times: conditional draws p_t(· | z) on top (z marked), marginal draws
     * p_t below; all panels share one square box so that shapes compare across t.
     */
    public static void pathGrid(Path file, String name, double[] times, float[] z, List<float[][]> conditional,
                                List<float[][]> marginal) throws IOException {
        // one box per time (shared by its two panels): the spread can change by orders of magnitude along a
        // path (ve: from σmax = 50 to the data's scale), and a shared box would hide the late times
        double[][] boxes = new double[times.length][];
        for (int i = 0; i < times.length; i++) {
            float[][] both = java.util.stream.Stream.of(conditional.get(i), marginal.get(i)).flatMap(Arrays::stream).toArray(float[][]::new);
            boxes[i] = bounds(both, new float[][] {z});
        }
        List<XYChart> charts = new java.util.ArrayList<>();
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < times.length; i++) {
                double[] box = boxes[i];
                String what = row == 0 ? "conditional p_t(x | z)" : "marginal p_t(x)";
                XYChart chart = square(String.format(java.util.Locale.ROOT, "%s, t = %.2f", what, times[i]), box, PANEL);
                chart.getStyler().setLegendVisible(false);
                chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(11f));
                scatter(chart, "x_t", (row == 0 ? conditional : marginal).get(i), row == 0 ? PATH_POINTS : SAMPLES, 3);
                if (row == 0) scatter(chart, "z", new float[][] {z}, Color.RED, 3).setMarker(SeriesMarkers.DIAMOND);
                charts.add(chart);
            }
        }
        BitmapEncoder.saveBitmap(charts, 2, times.length, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart square(String title, double[] box) {
        return square(title, box, SIZE);
    }

    private static XYChart square(String title, double[] box, int size) {
        XYChart chart = new XYChartBuilder().width(size).height(size).title(title).xAxisTitle("x₁").yAxisTitle("x₂").build();
        var styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        styler.setXAxisMin(box[0]);
        styler.setXAxisMax(box[1]);
        styler.setYAxisMin(box[2]);
        styler.setYAxisMax(box[3]);
        styler.setPlotGridLinesVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        return chart;
    }

    private static XYSeries scatter(XYChart chart, String name, float[][] points, Color color, int size) {
        double[] xs = new double[points.length];
        double[] ys = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            xs[i] = points[i][0];
            ys[i] = points[i].length > 1 ? points[i][1] : 0;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        chart.getStyler().setMarkerSize(size);
        return s;
    }

    /** A square box [xmin, xmax, ymin, ymax] around the 0.5%–99.5% quantiles of both sets, padded 10%. */
    static double[] bounds(float[][] a, float[][] b) {
        double[] lo = new double[2];
        double[] hi = new double[2];
        for (int k = 0; k < 2; k++) {
            double[] v = new double[a.length + b.length];
            for (int i = 0; i < a.length; i++) v[i] = a[i].length > k ? a[i][k] : 0;
            for (int i = 0; i < b.length; i++) v[a.length + i] = b[i].length > k ? b[i][k] : 0;
            v = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
            if (v.length == 0) v = new double[] {-1, 1};
            lo[k] = v[(int) Math.floor(0.005 * (v.length - 1))];
            hi[k] = v[(int) Math.ceil(0.995 * (v.length - 1))];
        }
        double span = Math.max(Math.max(hi[0] - lo[0], hi[1] - lo[1]), 1e-6) * 1.1;
        double cx = (lo[0] + hi[0]) / 2;
        double cy = (lo[1] + hi[1]) / 2;
        return new double[] {cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2};
    }

    /**
     * Histograms (as densities) of chosen coordinates, samples over data, one panel each in a grid of up to three
     * columns; [histograms][i] = {samples, data} bin probabilities over [ranges][i].
     */
    public static void marginals(Path file, String title, List<Integer> coordinates, double[][] ranges, double[][][] histograms)
            throws IOException {
        List<XYChart> charts = new java.util.ArrayList<>();
        for (int i = 0; i < coordinates.size(); i++) {
            XYChart chart = new XYChartBuilder().width(PANEL + 60).height(PANEL).title(title + ", x" + coordinates.get(i))
                    .xAxisTitle("x" + coordinates.get(i)).yAxisTitle("density").build();
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setPlotGridLinesVisible(false);
            chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(11f));
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
            chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
            chart.getStyler().setXAxisDecimalPattern("#.##");
            double[] range = ranges[i];
            int bins = histograms[i][0].length;
            double width = (range[1] - range[0]) / bins;
            String[] names = {"samples", "data (held out)"};
            Color[] colors = {new Color(31, 119, 180), new Color(90, 90, 90)};
            for (int k = 0; k < 2; k++) {
                double[] xs = new double[2 * bins];
                double[] ys = new double[2 * bins];
                for (int b = 0; b < bins; b++) { // a step outline
                    xs[2 * b] = range[0] + b * width;
                    xs[2 * b + 1] = range[0] + (b + 1) * width;
                    ys[2 * b] = ys[2 * b + 1] = histograms[i][k][b] / width;
                }
                XYSeries series = chart.addSeries(names[k], xs, ys);
                series.setMarker(SeriesMarkers.NONE);
                series.setLineColor(colors[k]);
                series.setLineStyle(new BasicStroke(k == 0 ? 2f : 1.5f));
            }
            charts.add(chart);
        }
        int columns = Math.min(3, charts.size());
        BitmapEncoder.saveBitmap(charts, (charts.size() + columns - 1) / columns, columns, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Density contours of coordinates (a, b): samples (blue) over data (grey), at 10, 30, 50, 70 and 90 % of the data's
     * peak density, from 40×40-bin histograms smoothed by a 3×3 binomial filter and traced by marching squares.
     */
    public static void pairContours(Path file, String title, int a, int b, float[][] samples, float[][] data) throws IOException {
        float[][] both = java.util.stream.Stream.of(project(data, a, b)).toArray(float[][]::new);
        double[] box = bounds(both, both);
        XYChart chart = new XYChartBuilder().width(SIZE).height(SIZE).title(title).xAxisTitle("x" + a).yAxisTitle("x" + b).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setXAxisMin(box[0]);
        chart.getStyler().setXAxisMax(box[1]);
        chart.getStyler().setYAxisMin(box[2]);
        chart.getStyler().setYAxisMax(box[3]);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        int grid = 40;
        double[][] dataDensity = smoothedHistogram(project(data, a, b), box, grid);
        double[][] sampleDensity = smoothedHistogram(project(samples, a, b), box, grid);
        double peak = Arrays.stream(dataDensity).flatMapToDouble(Arrays::stream).max().orElse(1);
        String[] names = {"data (held out)", "samples"};
        Color[] colors = {new Color(90, 90, 90), new Color(31, 119, 180)};
        double[][][] densities = {dataDensity, sampleDensity};
        for (int k = 0; k < 2; k++) {
            List<double[]> xy = new java.util.ArrayList<>();
            for (double level : new double[] {0.1, 0.3, 0.5, 0.7, 0.9}) contour(densities[k], level * peak, box, grid, xy);
            if (xy.isEmpty()) continue;
            double[] xs = xy.stream().mapToDouble(p -> p[0]).toArray();
            double[] ys = xy.stream().mapToDouble(p -> p[1]).toArray();
            XYSeries series = chart.addSeries(names[k], xs, ys);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(colors[k]);
            series.setLineStyle(new BasicStroke(k == 0 ? 2.5f : 1.5f));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static float[][] project(float[][] x, int a, int b) {
        return Arrays.stream(x).filter(r -> Float.isFinite(r[a]) && Float.isFinite(r[b])).map(r -> new float[] {r[a], r[b]}).toArray(float[][]::new);
    }

    private static double[][] smoothedHistogram(float[][] points, double[] box, int grid) {
        double[][] h = new double[grid + 2][grid + 2]; // one empty ring so that contours close
        for (float[] p : points) {
            int i = (int) Math.floor((p[0] - box[0]) / (box[1] - box[0]) * grid);
            int j = (int) Math.floor((p[1] - box[2]) / (box[3] - box[2]) * grid);
            if (i >= 0 && i < grid && j >= 0 && j < grid) h[i + 1][j + 1]++;
        }
        double[][] s = new double[grid + 2][grid + 2];
        double[] w = {0.25, 0.5, 0.25};
        for (int i = 1; i <= grid; i++) for (int j = 1; j <= grid; j++) {
            double v = 0;
            for (int di = -1; di <= 1; di++) for (int dj = -1; dj <= 1; dj++) v += w[di + 1] * w[dj + 1] * h[i + di][j + dj];
            s[i][j] = v / Math.max(1, points.length);
        }
        return s;
    }

    /** Marching squares: segments of the level set, appended as point pairs each followed by a NaN gap. */
    private static void contour(double[][] f, double level, double[] box, int grid, List<double[]> out) {
        double cell = (box[1] - box[0]) / grid;
        double cellY = (box[3] - box[2]) / grid;
        for (int i = 0; i + 1 < f.length; i++) {
            for (int j = 0; j + 1 < f[i].length; j++) {
                double[] v = {f[i][j], f[i + 1][j], f[i + 1][j + 1], f[i][j + 1]}; // corners counter-clockwise
                int[][] corner = {{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}};
                List<double[]> crossings = new java.util.ArrayList<>();
                for (int e = 0; e < 4; e++) {
                    double p = v[e];
                    double q = v[(e + 1) % 4];
                    if ((p < level) != (q < level)) {
                        double u = (level - p) / (q - p);
                        int[] c0 = corner[e];
                        int[] c1 = corner[(e + 1) % 4];
                        // grid index g sits at the centre of histogram bin g − 1
                        double gx = c0[0] + u * (c1[0] - c0[0]) - 0.5;
                        double gy = c0[1] + u * (c1[1] - c0[1]) - 0.5;
                        crossings.add(new double[] {box[0] + gx * cell, box[2] + gy * cellY});
                    }
                }
                for (int k = 0; k + 1 < crossings.size(); k += 2) {
                    out.add(crossings.get(k));
                    out.add(crossings.get(k + 1));
                    out.add(new double[] {Double.NaN, Double.NaN});
                }
            }
        }
    }

    /** The square box (xmin, xmax, ymin, ymax) the scatter plots use for [points]. */
    public static double[] box(float[][] points) {
        return bounds(points, points);
    }

    /** A heat map of [values] (log-densities) on a [grid]×[grid] grid over [box], row j = y index, column i = x index. */
    public static void density(Path file, String title, double[] box, int grid, double[] values) throws IOException {
        // category axes would print every cell's label: the extent goes into the axis titles instead
        HeatMapChart chart = new HeatMapChartBuilder().width(SIZE).height(SIZE).title(title)
                .xAxisTitle(String.format(java.util.Locale.ROOT, "x₁ from %.1f to %.1f", box[0], box[1]))
                .yAxisTitle(String.format(java.util.Locale.ROOT, "x₂ from %.1f to %.1f", box[2], box[3])).build();
        List<Double> xs = new java.util.ArrayList<>();
        List<Double> ys = new java.util.ArrayList<>();
        for (int i = 0; i < grid; i++) {
            xs.add(Math.round((box[0] + (i + 0.5) * (box[1] - box[0]) / grid) * 100) / 100.0);
            ys.add(Math.round((box[2] + (i + 0.5) * (box[3] - box[2]) / grid) * 100) / 100.0);
        }
        // log p spans many orders: clip the colour scale 12 nats below the maximum, so the shape shows
        double max = Math.ceil(Arrays.stream(values).filter(Double::isFinite).max().orElse(0) * 10) / 10; // short legend labels
        double min = max - 12;
        List<Number[]> cells = new java.util.ArrayList<>();
        for (int j = 0; j < grid; j++) {
            for (int i = 0; i < grid; i++) {
                double v = values[j * grid + i];
                cells.add(new Number[] {i, j, Double.isFinite(v) ? Math.max(v, min) : min});
            }
        }
        chart.getStyler().setMin(min);
        chart.getStyler().setMax(max);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[] {new Color(20, 20, 60), new Color(40, 100, 180), new Color(250, 220, 90)});
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setDecimalPattern("0.0");
        chart.addSeries("log p", xs, ys, cells);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
