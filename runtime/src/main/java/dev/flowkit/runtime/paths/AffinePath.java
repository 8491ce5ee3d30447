package dev.flowkit.runtime.paths;

import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleValues;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * x_t = α_t z + β_t x_0 for a source draw x_0 of any distribution; dx_t = α̇_t z + β̇_t x_0.
 * With the linear schedule this is the interpolation path (1 − t) x_0 + t z.
 */
public class AffinePath implements ProbabilityPath {
    private final Schedule schedule;

    public AffinePath(Schedule schedule) {
        this.schedule = schedule;
    }

    public Schedule schedule() {
        return schedule;
    }

    @Override
    public PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t) {
        ScheduleValues s = schedule.at(tf, t);
        Operand<TFloat32> xt = tf.math.add(tf.math.mul(s.alpha(), z), tf.math.mul(s.beta(), x0));
        Operand<TFloat32> dxt = tf.math.add(tf.math.mul(s.alphaDot(), z), tf.math.mul(s.betaDot(), x0));
        return new PathSample(x0, z, t, xt, dxt);
    }
}
