package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleProbe;
import dev.flowkit.spec.SpecException;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Where a fixed-step sampler's N steps lie: 0 = t_0 < t_1 < … < t_N = 1, laid out for a path. */
public interface TimeGrid {
    /**
     * The times, and whether the last step ends where the noise ratio is 0 (β_1 = 0): such a step goes straight to the
     * data, where a score or noise model's velocity is undefined, so methods that would evaluate the model there take
     * an Euler step instead (EDM's rule).
     */
    record Layout(double[] times, boolean jumpsToData) {}

    Layout layOut(int steps, ProbabilityPath path);

    /** t_i = i/N; its last step goes to the data when the path's β_1 is 0 (every path here but ve). */
    TimeGrid UNIFORM = (steps, path) -> {
        double[] t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) t[i] = (double) i / steps;
        boolean toData = path instanceof AffinePath affine && ScheduleProbe.alphaBeta(affine.schedule(), new double[] {1})[1][0] == 0;
        return new Layout(t, toData);
    };

    /** EDM's grid: σ^{1/ρ} uniform. */
    static TimeGrid karras(double rho, double sigmaMin, double sigmaMax) {
        return new NoiseRatioGrid("karras", sigmaMin, sigmaMax, (hi, lo) -> u ->
                2 * rho * Math.log(Math.exp(hi / (2 * rho)) + u * (Math.exp(lo / (2 * rho)) - Math.exp(hi / (2 * rho)))));
    }

    /** ln σ uniform. */
    static TimeGrid logSnr(double sigmaMin, double sigmaMax) {
        return new NoiseRatioGrid("log-snr", sigmaMin, sigmaMax, (hi, lo) -> u -> hi + u * (lo - hi));
    }

    /**
     * Points spaced in L = ln σ² (σ = β/α) from hi = min(L(0), 2 ln σmax) to lo = max(L(1), 2 ln σmin) by [spacing]
     * (given hi and lo, u ∈ [0, 1] ↦ L), mapped to times; t_0 = 0 always. When the path reaches σ = 0 before σmin
     * (L(1) = −∞) the N points end at σmin and t_N = 1 follows.
     */
    record NoiseRatioGrid(String name, double sigmaMin, double sigmaMax,
                          java.util.function.BiFunction<Double, Double, DoubleUnaryOperator> spacing) implements TimeGrid {
        @Override
        public Layout layOut(int steps, ProbabilityPath path) {
            if (!(path instanceof AffinePath affine)) {
                throw new SpecException(List.of("sample.sampler.grid: " + name + " spaces steps by the noise ratio β_t/α_t of an "
                        + "affine path (gaussian or linear); this path has none; use grid uniform()"));
            }
            Schedule schedule = affine.schedule();
            double[] ends = ScheduleProbe.logNoiseRatio(schedule, new double[] {0, 1});
            double hi = Math.min(ends[0], 2 * Math.log(sigmaMax));
            double lo = Math.max(ends[1], 2 * Math.log(sigmaMin));
            if (!(hi > lo)) {
                throw new SpecException(List.of(String.format(java.util.Locale.ROOT,
                        "sample.sampler.grid: %s's σ range [%s, %s] misses this schedule's noise ratios β/α, from %.4g at t = 0 to %.4g at t = 1; "
                                + "choose sigmaMin and sigmaMax inside it", name, sigmaMin, sigmaMax, Math.exp(ends[0] / 2), Math.exp(ends[1] / 2))));
            }
            boolean jumps = ends[1] < lo;
            int points = jumps ? steps : steps + 1;
            DoubleUnaryOperator at = spacing.apply(hi, lo);
            double[] logRatios = new double[points];
            for (int i = 0; i < points; i++) logRatios[i] = at.applyAsDouble(points == 1 ? 0 : (double) i / (points - 1));
            double[] mapped = ScheduleProbe.timeAtLogNoiseRatio(schedule, logRatios);
            double[] t = new double[steps + 1];
            System.arraycopy(mapped, 0, t, 0, points);
            t[0] = 0;
            t[steps] = 1;
            for (int i = 1; i <= steps; i++) {
                if (!(t[i] > t[i - 1])) {
                    throw new SpecException(List.of("sample.sampler.steps: " + steps + " steps of " + name + " put two grid times at "
                            + t[i] + " (float32 cannot separate them); use fewer steps or a wider sigmaMin"));
                }
            }
            return new Layout(t, jumps);
        }
    }
}
