package dev.flowkit.runtime.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t and β_t of a Gaussian path and their exact time derivatives, elementwise in t. */
public interface Schedule {
    ScheduleValues at(Ops tf, Operand<TFloat32> t);

    /** β_0: the path starts from N(0, sourceStd² I). */
    default double sourceStd() {
        return 1.0;
    }

    /**
     * g_t², the squared diffusion coefficient of the forward SDE (run in diffusion time s = 1 − t) whose perturbation
     * kernels this schedule gives; only diffusion schedules have one.
     */
    default Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is not a diffusion schedule (vp, sub-vp, ve)");
    }
}
