package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A schedule's graph functions evaluated on the host, in a throwaway graph, with the same float32 ops that sampling
 * graphs use: for quantities fixed when a graph is built (time grids, solver coefficients).
 */
public final class ScheduleProbe {
    private ScheduleProbe() {}

    /** (α_t, β_t) at each time, floored at 0 (float32 rounding makes e.g. cos(π/2) slightly negative). */
    public static double[][] alphaBeta(Schedule schedule, double[] times) {
        return new double[][] {
            eval(times, (tf, t) -> tf.math.maximum(schedule.at(tf, t).alpha(), Tensors.scalar(tf, 0))),
            eval(times, (tf, t) -> tf.math.maximum(schedule.at(tf, t).beta(), Tensors.scalar(tf, 0))),
        };
    }

    /** ln(β_t²/α_t²) at each time (±∞ where α or β vanishes). */
    public static double[] logNoiseRatio(Schedule schedule, double[] times) {
        return eval(times, schedule::logNoiseRatio);
    }

    /** The time at each log noise ratio. */
    public static double[] timeAtLogNoiseRatio(Schedule schedule, double[] logRatios) {
        return eval(logRatios, schedule::timeAtLogNoiseRatio);
    }

    private static double[] eval(double[] input, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> f) {
        float[] in = new float[input.length];
        for (int i = 0; i < in.length; i++) in[i] = (float) input[i];
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Operand<TFloat32> out = f.apply(tf, tf.constant(in));
            try (Result r = session.runner().fetch(out).run()) {
                TFloat32 values = (TFloat32) r.get(0);
                double[] result = new double[input.length];
                for (int i = 0; i < result.length; i++) result[i] = values.getFloat(i);
                return result;
            }
        }
    }
}
