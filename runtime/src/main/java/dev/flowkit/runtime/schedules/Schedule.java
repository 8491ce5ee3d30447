package dev.flowkit.runtime.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t and β_t of a Gaussian path and their exact time derivatives, elementwise in t. */
public interface Schedule {
    ScheduleValues at(Ops tf, Operand<TFloat32> t);
}
