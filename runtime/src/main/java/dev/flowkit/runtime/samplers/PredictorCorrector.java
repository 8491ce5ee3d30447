package dev.flowkit.runtime.samplers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** At each grid time t_i: the corrector's Langevin steps at t_i, then one predictor step to t_{i+1} (score_sde's order). */
public final class PredictorCorrector extends UnrolledSampler {
    private final FixedStepSolver predictor;
    private final LangevinCorrector corrector;

    public PredictorCorrector(FixedStepSolver predictor, LangevinCorrector corrector) {
        this.predictor = predictor;
        this.corrector = corrector;
    }

    /** The corrector's step size comes from norms averaged over the batch. */
    @Override
    public boolean rowsIndependent() {
        return false;
    }

    @Override
    protected int iterations() {
        return predictor.iterations();
    }

    @Override
    protected int evaluationsPerIteration() {
        return predictor.evaluationsPerIteration() + corrector.steps();
    }

    @Override
    public long functionEvaluations() {
        return predictor.functionEvaluations() + (long) iterations() * corrector.steps();
    }

    @Override
    public SamplerProgram compile(Ops tf, SamplingInput in) {
        predictor.layOut(in.path());
        return super.compile(tf, in);
    }

    @Override
    protected double timeAfter(int i) {
        return predictor.timeAfter(i);
    }

    @Override
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Operand<TFloat32> corrected = corrector.correct(tf, in.model(), x, predictor.time(tf, i), i.derive(in.noise().derive(2)));
        return predictor.advance(tf, in.withNoise(in.noise().derive(1)), corrected, i);
    }

    @Override
    protected boolean loopable(int i) {
        return predictor.loopable(i);
    }
}
