package dev.flowkit.runtime.compiler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where one session call's time went, from TensorFlow's step stats (RunOptions FULL_TRACE): kernel microseconds
 * summed by op type, largest first. With several threads the sum can exceed the wall time.
 */
public record StepProfile(Map<String, Long> microsByOpType, long wallMicros) {
    /** Runs [runner] (its fetches, targets and feeds already set) once with a full trace and profiles that call. */
    public static StepProfile traced(Session.Runner runner, Graph graph) {
        runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        try (Result r = runner.runAndFetchMetadata()) {
            return of(r.getMetadata().orElseThrow(), graph);
        }
    }

    static StepProfile of(RunMetadata metadata, Graph graph) {
        Map<String, Long> byType = new TreeMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
            for (NodeExecStats node : device.getNodeStatsList()) {
                long micros = node.getOpEndRelMicros() - node.getOpStartRelMicros();
                GraphOperation op = graph.operation(node.getNodeName());
                String type = op != null ? op.type() : typeFromLabel(node);
                byType.merge(type, micros, Long::sum);
                first = Math.min(first, node.getAllStartMicros());
                last = Math.max(last, node.getAllStartMicros() + node.getAllEndRelMicros());
            }
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        byType.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return new StepProfile(sorted, last > first ? last - first : 0);
    }

    /** A node the graph does not hold (one of a loop body's, inlined when the graph ran): its label reads "name = Type(…)". */
    private static String typeFromLabel(NodeExecStats node) {
        Matcher m = LABEL.matcher(node.getTimelineLabel());
        return m.find() ? m.group(1) : node.getNodeName();
    }

    private static final Pattern LABEL = Pattern.compile("= ([A-Za-z0-9_]+)\\(");
}
