package dev.flowkit.runtime.schedules;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** (α_t, β_t, α̇_t, β̇_t), each shaped like t. */
public record ScheduleValues(Operand<TFloat32> alpha, Operand<TFloat32> beta, Operand<TFloat32> alphaDot, Operand<TFloat32> betaDot) {}
