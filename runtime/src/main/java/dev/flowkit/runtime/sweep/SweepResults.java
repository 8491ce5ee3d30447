package dev.flowkit.runtime.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.output.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The results of a sweep, one row per variant: its axis labels, data dimension, metrics with their noise floors and
 * times (or why it failed); written as results.json, results.md and one comparison plot per metric (METRIC.png).
 */
public final class SweepResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final List<String> axes;
    private final Map<Integer, Map<String, Double>> reference;
    private final List<Row> rows = new ArrayList<>();

    SweepResults(String name, List<String> axes, Map<Integer, Map<String, Double>> reference) {
        this.name = name;
        this.axes = List.copyOf(axes);
        this.reference = reference;
    }

    /** One variant's outcome: metrics (with …Floor entries), timings, or the error that stopped it. */
    public record Row(String name, List<String> coordinates, int dim, Map<String, Double> metrics, Map<String, Double> timings,
                      double wallSeconds, String error) {}

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public boolean anyFailed() {
        return rows.stream().anyMatch(r -> r.error() != null);
    }

    void add(SweepRunner.Variant variant, JsonNode metricsJson, double wallSeconds) {
        rows.add(new Row(variant.spec().getName(), variant.coordinates(), variant.spec().getData().getDim(),
                numbers(metricsJson.path("metrics")), numbers(metricsJson.path("timings")), wallSeconds, null));
    }

    void failed(SweepRunner.Variant variant, String error, double wallSeconds) {
        rows.add(new Row(variant.spec().getName(), variant.coordinates(), variant.spec().getData().getDim(), Map.of(), Map.of(), wallSeconds, error));
    }

    private static Map<String, Double> numbers(JsonNode node) {
        Map<String, Double> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(f -> { if (f.getValue().isNumber()) values.put(f.getKey(), f.getValue().asDouble()); });
        return values;
    }

    /** The metrics of every row, in order of first appearance, without their floors. */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Row r : rows) for (String k : r.metrics().keySet()) if (!k.endsWith("Floor")) names.add(k);
        return new ArrayList<>(names);
    }

    void write(Path dir) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        for (Row r : rows) {
            ObjectNode row = array.addObject().put("name", r.name()).put("d", r.dim());
            ObjectNode coordinates = row.putObject("axes");
            for (int k = 0; k < axes.size() && k < r.coordinates().size(); k++) coordinates.put(axes.get(k), r.coordinates().get(k));
            if (r.error() != null) row.put("error", r.error());
            ObjectNode metrics = row.putObject("metrics");
            r.metrics().forEach(metrics::put);
            ObjectNode timings = row.putObject("timings");
            r.timings().forEach(timings::put);
            row.put("wallSeconds", r.wallSeconds());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("results.json").toFile(), array);
        Files.writeString(dir.resolve("results.md"), markdown());
        for (String metric : metricNames()) plot(dir.resolve(metric + ".png"), metric);
    }

    /** The table: variant, axes, each metric with its noise floor (and the reference value where given), times. */
    public String markdown() {
        List<String> metrics = metricNames();
        StringBuilder md = new StringBuilder("| variant |");
        for (String a : axes) md.append(' ').append(a).append(" |");
        for (String m : metrics) md.append(' ').append(m).append(" (floor)").append(reference.isEmpty() ? "" : " [reference]").append(" |");
        md.append(" training s | sampling s | wall s |\n|---|");
        md.append("---|".repeat(axes.size() + metrics.size() + 3)).append('\n');
        for (Row r : rows) {
            md.append("| ").append(r.name()).append(" |");
            for (int k = 0; k < axes.size(); k++) md.append(' ').append(k < r.coordinates().size() ? r.coordinates().get(k) : "").append(" |");
            if (r.error() != null) {
                md.append(" failed: ").append(r.error().replace("|", "/").replace("\n", " ")).append(" |").append(" |".repeat(metrics.size() + 2)).append('\n');
                continue;
            }
            Map<String, Double> published = reference.getOrDefault(r.dim(), Map.of());
            for (String m : metrics) {
                Double v = r.metrics().get(m);
                Double floor = r.metrics().get(m + "Floor");
                md.append(' ').append(v == null ? "—" : format(v));
                if (floor != null) md.append(" (").append(format(floor)).append(')');
                if (!reference.isEmpty()) md.append(published.containsKey(m) ? " [" + format(published.get(m)) + "]" : " [—]");
                md.append(" |");
            }
            md.append(String.format(Locale.ROOT, " %.1f | %.2f | %.1f |%n", r.timings().getOrDefault("trainingSeconds", Double.NaN),
                    r.timings().getOrDefault("samplingSeconds", Double.NaN), r.wallSeconds()));
        }
        return md.toString();
    }

    private static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e5) ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * [metric] across the axes: groups by the first axis's values, one bar per combination of the others (or one bar
     * per variant when the sweep has no axes).
     */
    private void plot(Path file, String metric) throws IOException {
        List<String> categories = new ArrayList<>();
        Map<String, double[]> series = new LinkedHashMap<>();
        List<Row> done = rows.stream().filter(r -> r.error() == null).toList();
        if (done.isEmpty()) return;
        for (Row r : done) {
            String category = axes.isEmpty() ? r.name() : r.coordinates().get(0);
            if (!categories.contains(category)) categories.add(category);
        }
        double[] floor = filled(categories.size());
        for (Row r : done) {
            int at = categories.indexOf(axes.isEmpty() ? r.name() : r.coordinates().get(0));
            String key = axes.size() <= 1 ? metric : otherAxes(r);
            series.computeIfAbsent(key, k -> filled(categories.size()))[at] = r.metrics().getOrDefault(metric, Double.NaN);
            if (Double.isNaN(floor[at])) floor[at] = r.metrics().getOrDefault(metric + "Floor", Double.NaN);
        }
        Plots.comparison(file, name + ": " + metric, axes.isEmpty() ? "variant" : axes.get(0), metric, categories, series, floor);
    }

    private String otherAxes(Row r) {
        List<String> parts = new ArrayList<>();
        for (int k = 1; k < axes.size(); k++) parts.add(axes.get(k) + " = " + r.coordinates().get(k));
        return String.join(", ", parts);
    }

    private static double[] filled(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }
}
