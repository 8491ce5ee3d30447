package dev.flowkit.runtime;

import com.google.inject.AbstractModule;
import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.distributions.CheckerboardDistribution;
import dev.flowkit.runtime.distributions.CirclesDistribution;
import dev.flowkit.runtime.distributions.DatasetDistribution;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.distributions.LangevinDistribution;
import dev.flowkit.runtime.distributions.GaussianMixtureDistribution;
import dev.flowkit.runtime.distributions.MoonsDistribution;
import dev.flowkit.runtime.distributions.UniformDistribution;
import dev.flowkit.runtime.metrics.MarginalsMetric;
import dev.flowkit.runtime.metrics.MeanCovErrorMetric;
import dev.flowkit.runtime.metrics.MmdMetric;
import dev.flowkit.runtime.metrics.Wasserstein2Metric;
import dev.flowkit.runtime.networks.Conv1dNetwork;
import dev.flowkit.runtime.networks.MlpNetwork;
import dev.flowkit.runtime.objectives.FlowMatchingLoss;
import dev.flowkit.runtime.optimizers.AdamOptimizer;
import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.GaussianPath;
import dev.flowkit.runtime.samplers.EulerSolver;
import dev.flowkit.runtime.samplers.HeunSolver;
import dev.flowkit.runtime.samplers.Rk4Solver;
import dev.flowkit.runtime.schedules.Cosine;
import dev.flowkit.runtime.schedules.Linear;
import dev.flowkit.runtime.schedules.Polynomial;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.SquareRoot;
import dev.flowkit.runtime.schedules.SubVariancePreserving;
import dev.flowkit.runtime.schedules.VariancePreserving;
import dev.flowkit.spec.Adam;
import dev.flowkit.spec.Checkerboard;
import dev.flowkit.spec.Circle;
import dev.flowkit.spec.Circles;
import dev.flowkit.spec.CosineSchedule;
import dev.flowkit.spec.Euler;
import dev.flowkit.spec.FlowMatching;
import dev.flowkit.spec.Gaussian;
import dev.flowkit.spec.GaussianMixture;
import dev.flowkit.spec.Heun;
import dev.flowkit.spec.LinearPath;
import dev.flowkit.spec.LinearSchedule;
import dev.flowkit.spec.Marginals;
import dev.flowkit.spec.MeanCovError;
import dev.flowkit.spec.Conv1d;
import dev.flowkit.spec.Mlp;
import dev.flowkit.spec.Mmd;
import dev.flowkit.spec.Moons;
import dev.flowkit.spec.PolynomialSchedule;
import dev.flowkit.spec.Rk4;
import dev.flowkit.spec.SqrtSchedule;
import dev.flowkit.spec.SubVpSchedule;
import dev.flowkit.spec.Uniform;
import dev.flowkit.spec.Dataset;
import dev.flowkit.spec.LangevinData;
import dev.flowkit.spec.VpSchedule;
import dev.flowkit.spec.Wasserstein2;
import dev.flowkit.runtime.likelihood.Divergence;
import dev.flowkit.runtime.likelihood.ExactDivergence;
import dev.flowkit.runtime.likelihood.HutchinsonDivergence;
import dev.flowkit.runtime.likelihood.LikelihoodMetric;
import dev.flowkit.runtime.metrics.ClassAccuracyMetric;
import dev.flowkit.runtime.networks.Network;
import dev.flowkit.runtime.networks.VelocityAndScoreNetwork;
import dev.flowkit.runtime.objectives.DataPredictionLoss;
import dev.flowkit.runtime.objectives.FlowAndScoreMatchingLoss;
import dev.flowkit.runtime.objectives.NoisePredictionLoss;
import dev.flowkit.runtime.objectives.ScoreMatchingLoss;
import dev.flowkit.runtime.objectives.TrainingTimes;
import dev.flowkit.runtime.samplers.ConstantNoise;
import dev.flowkit.runtime.samplers.Dopri5Solver;
import dev.flowkit.runtime.samplers.EulerMaruyamaSolver;
import dev.flowkit.runtime.samplers.DpmSolverSampler;
import dev.flowkit.runtime.samplers.EdmHeunSampler;
import dev.flowkit.runtime.samplers.FixedStepSolver;
import dev.flowkit.runtime.samplers.TimeGrid;
import dev.flowkit.runtime.samplers.LangevinCorrector;
import dev.flowkit.runtime.samplers.LangevinSampler;
import dev.flowkit.runtime.samplers.LinearNoise;
import dev.flowkit.runtime.samplers.NoiseStdNoise;
import dev.flowkit.runtime.samplers.MidpointSolver;
import dev.flowkit.runtime.samplers.NoiseScale;
import dev.flowkit.runtime.samplers.PredictorCorrector;
import dev.flowkit.runtime.samplers.ReverseNoise;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.schedules.VarianceExploding;
import dev.flowkit.spec.ClassAccuracy;
import dev.flowkit.spec.Hutchinson;
import dev.flowkit.spec.Likelihood;
import dev.flowkit.spec.ProbeDistribution;
import dev.flowkit.spec.ConstantSigma;
import dev.flowkit.spec.DataPrediction;
import dev.flowkit.spec.Dopri5;
import dev.flowkit.spec.EulerMaruyama;
import dev.flowkit.spec.FlowAndScoreMatching;
import dev.flowkit.spec.Langevin;
import dev.flowkit.spec.LinearSigma;
import dev.flowkit.spec.NoiseStdSigma;
import dev.flowkit.spec.DpmSolver;
import dev.flowkit.spec.EdmHeun;
import dev.flowkit.spec.KarrasGrid;
import dev.flowkit.spec.LogSnrGrid;
import dev.flowkit.spec.Midpoint;
import dev.flowkit.spec.UniformGrid;
import dev.flowkit.spec.NoisePrediction;
import dev.flowkit.spec.Pc;
import dev.flowkit.spec.ReverseSigma;
import dev.flowkit.spec.ScoreMatching;
import dev.flowkit.spec.VeSchedule;
import dev.flowkit.spec.VelocityAndScore;
import dev.flowkit.spec.ExponentialVeSchedule;
import dev.flowkit.spec.Unet;
import dev.flowkit.runtime.schedules.ExponentialVe;
import dev.flowkit.runtime.networks.unet.UnetNetwork;

/** Binds every built-in spec type to its component. */
public final class FlowkitModule extends AbstractModule {
    @Override
    protected void configure() {
        // distributions
        Components.bind(binder(), Gaussian.class, (s, c) -> new GaussianMixtureDistribution(s));
        Components.bind(binder(), GaussianMixture.class, (s, c) -> new GaussianMixtureDistribution(s));
        Components.bind(binder(), Circle.class, (s, c) -> new GaussianMixtureDistribution(s));
        Components.bind(binder(), Moons.class, (s, c) -> new MoonsDistribution(s));
        Components.bind(binder(), Circles.class, (s, c) -> new CirclesDistribution(s));
        Components.bind(binder(), Checkerboard.class, (s, c) -> new CheckerboardDistribution(s));
        Components.bind(binder(), Uniform.class, (s, c) -> new UniformDistribution(s));
        Components.bind(binder(), Dataset.class, (s, c) -> new DatasetDistribution(s));
        Components.bind(binder(), LangevinData.class,
                (s, c) -> new LangevinDistribution(s, c.resolve(s.getInitOrDefault(), Distribution.class)));
        // schedules
        Components.bind(binder(), LinearSchedule.class, (s, c) -> new Linear());
        Components.bind(binder(), CosineSchedule.class, (s, c) -> new Cosine());
        Components.bind(binder(), SqrtSchedule.class, (s, c) -> new SquareRoot());
        Components.bind(binder(), PolynomialSchedule.class, (s, c) -> new Polynomial(s.getExponent()));
        Components.bind(binder(), VpSchedule.class, (s, c) -> new VariancePreserving(s.getBetaMin(), s.getBetaMax()));
        Components.bind(binder(), SubVpSchedule.class, (s, c) -> new SubVariancePreserving(s.getBetaMin(), s.getBetaMax()));
        Components.bind(binder(), VeSchedule.class, (s, c) -> new VarianceExploding(s.getSigmaMin(), s.getSigmaMax()));
        Components.bind(binder(), ExponentialVeSchedule.class, (s, c) -> new ExponentialVe(s.getSigma()));
        // paths
        Components.bind(binder(), dev.flowkit.spec.GaussianPath.class, (s, c) -> new GaussianPath(c.resolve(s.getSchedule(), Schedule.class)));
        Components.bind(binder(), LinearPath.class, (s, c) -> new AffinePath(new Linear()));
        // networks
        Components.bind(binder(), Mlp.class, (s, c) -> new MlpNetwork(s));
        Components.bind(binder(), Conv1d.class, (s, c) -> new Conv1dNetwork(s));
        Components.bind(binder(), Unet.class, (s, c) -> new UnetNetwork(s));
        Components.bind(binder(), VelocityAndScore.class, (s, c) -> new VelocityAndScoreNetwork(
                c.resolve(s.getVelocity(), Network.class), s.getVelocity().getPredicts(),
                c.resolve(s.getScore(), Network.class), s.getScore().getPredicts()));
        // objectives, optimizers
        Components.bind(binder(), FlowMatching.class, (s, c) -> new FlowMatchingLoss());
        Components.bind(binder(), ScoreMatching.class, (s, c) -> new ScoreMatchingLoss(s.getWeighting(), TrainingTimes.of(s.getTimeSampling(), s.getMaxTime())));
        Components.bind(binder(), NoisePrediction.class, (s, c) -> new NoisePredictionLoss());
        Components.bind(binder(), DataPrediction.class, (s, c) -> new DataPredictionLoss());
        Components.bind(binder(), FlowAndScoreMatching.class, (s, c) -> new FlowAndScoreMatchingLoss(s.getWeighting()));
        Components.bind(binder(), Adam.class, (s, c) -> new AdamOptimizer(s));
        // samplers and their parts
        Components.bind(binder(), Euler.class, (s, c) -> new EulerSolver(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class)));
        Components.bind(binder(), Heun.class, (s, c) -> new HeunSolver(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class)));
        Components.bind(binder(), Midpoint.class, (s, c) -> new MidpointSolver(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class)));
        Components.bind(binder(), Rk4.class, (s, c) -> new Rk4Solver(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class)));
        Components.bind(binder(), DpmSolver.class, (s, c) -> new DpmSolverSampler(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class), s.getStochastic()));
        Components.bind(binder(), EdmHeun.class, (s, c) -> new EdmHeunSampler(s.getSteps(), c.resolve(s.getGrid(), TimeGrid.class),
                new EdmHeunSampler.Churn(s.getChurn(), s.getChurnSigmaMin(), s.getChurnSigmaMax() == null ? Double.POSITIVE_INFINITY : s.getChurnSigmaMax(),
                        s.getChurnNoise())));
        Components.bind(binder(), UniformGrid.class, (s, c) -> TimeGrid.UNIFORM);
        Components.bind(binder(), KarrasGrid.class, (s, c) -> TimeGrid.karras(s.getRho(), s.getSigmaMin(), s.getSigmaMax()));
        Components.bind(binder(), LogSnrGrid.class, (s, c) -> TimeGrid.logSnr(s.getSigmaMin(), s.getSigmaMax()));
        Components.bind(binder(), Dopri5.class, (s, c) -> new Dopri5Solver(s.getRtol(), s.getAtol(), s.getMaxSteps()));
        Components.bind(binder(), EulerMaruyama.class, (s, c) -> new EulerMaruyamaSolver(s.getSteps(),
                c.resolve(s.getSigma() == null ? new ConstantSigma(1.0) : s.getSigma(), NoiseScale.class), c.resolve(s.getGrid(), TimeGrid.class)));
        Components.bind(binder(), Langevin.class, (s, c) -> new LangevinSampler(s.getSteps(), s.getStepSize(), s.getTime()));
        Components.bind(binder(), Pc.class, (s, c) -> new PredictorCorrector(
                (FixedStepSolver) c.resolve(s.getPredictor(), Sampler.class), c.resolve(s.getCorrector(), LangevinCorrector.class)));
        Components.bind(binder(), dev.flowkit.spec.LangevinCorrector.class, (s, c) -> new LangevinCorrector(s.getSnr(), s.getSteps()));
        Components.bind(binder(), ConstantSigma.class, (s, c) -> new ConstantNoise(s.getValue()));
        Components.bind(binder(), LinearSigma.class, (s, c) -> new LinearNoise(s.getStart(), s.getEnd()));
        Components.bind(binder(), NoiseStdSigma.class, (s, c) -> new NoiseStdNoise(s.getScale()));
        Components.bind(binder(), ReverseSigma.class, (s, c) -> new ReverseNoise());
        // metrics
        Components.bind(binder(), Wasserstein2.class, (s, c) -> new Wasserstein2Metric());
        Components.bind(binder(), Mmd.class, (s, c) -> new MmdMetric(s));
        Components.bind(binder(), MeanCovError.class, (s, c) -> new MeanCovErrorMetric());
        Components.bind(binder(), Marginals.class, (s, c) -> new MarginalsMetric(s));
        Components.bind(binder(), ClassAccuracy.class, (s, c) -> new ClassAccuracyMetric());
        Components.bind(binder(), dev.flowkit.spec.Fid.class, (s, c) -> new dev.flowkit.runtime.metrics.images.FidMetric(s));
        Components.bind(binder(), Likelihood.class, (s, c) -> new LikelihoodMetric(c.resolve(s.getSolver(), Sampler.class),
                c.resolve(s.getDivergence(), Divergence.class), s.getPoints(), s.getGrid(), s.getTime()));
        Components.bind(binder(), dev.flowkit.spec.ExactDivergence.class, (s, c) -> new ExactDivergence());
        Components.bind(binder(), Hutchinson.class, (s, c) ->
                new HutchinsonDivergence(s.getProbes(), s.getDistribution() == ProbeDistribution.RADEMACHER));
    }
}
