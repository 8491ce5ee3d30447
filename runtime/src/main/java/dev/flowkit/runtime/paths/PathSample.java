package dev.flowkit.runtime.paths;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One draw from a path: source point x0, data point z, time t (column), x_t = α_t z + β_t ε, dx_t/dt = u_t(x_t | z),
 * and the noise ε (x0 itself, or x0 standardized when the source is N(0, β_0² I)).
 */
public record PathSample(Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t, Operand<TFloat32> xt,
                         Operand<TFloat32> dxt, Operand<TFloat32> noise) {}
