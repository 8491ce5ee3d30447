package dev.flowkit.runtime.metrics;

import dev.flowkit.spec.MixtureSpec;
import java.util.List;
import java.util.Map;

/**
 * For class-conditional samples of labelled mixture data: classAccuracy, the fraction of samples whose most probable
 * component (the exact Bayes classifier of the data distribution) is the requested class; and classSpread, the mean
 * of ‖x − μ_y‖² / (dim s_y²) over samples: 1 when each sample follows its class's component, below 1 when guidance
 * pulls samples towards the class centre.
 */
public final class ClassAccuracyMetric implements Metric {
    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        throw new UnsupportedOperationException("class-accuracy needs the requested labels of the samples");
    }

    @Override
    public Map<String, Double> compute(Evaluation e) {
        if (e.sampleLabels() == null || !(e.dataSpec() instanceof MixtureSpec mixture)) {
            throw new IllegalArgumentException("class-accuracy needs labelled mixture data and class-conditional samples");
        }
        List<MixtureSpec.Component> components = mixture.components();
        int dim = mixture.getDim();
        int correct = 0;
        double spread = 0;
        for (int i = 0; i < e.samples().length; i++) {
            float[] x = e.samples()[i];
            int requested = e.sampleLabels()[i];
            int best = -1;
            double bestLog = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < components.size(); k++) {
                MixtureSpec.Component c = components.get(k);
                double s2 = c.getStd() * c.getStd();
                double log = Math.log(c.getWeight()) - squaredDistance(x, c.getMean()) / (2 * s2) - dim * Math.log(c.getStd());
                if (log > bestLog) {
                    bestLog = log;
                    best = k;
                }
            }
            if (best == requested) correct++;
            MixtureSpec.Component c = components.get(requested);
            spread += squaredDistance(x, c.getMean()) / (dim * c.getStd() * c.getStd());
        }
        int n = e.samples().length;
        return Map.of("classAccuracy", (double) correct / n, "classSpread", spread / n);
    }

    private static double squaredDistance(float[] x, List<Double> mean) {
        double sum = 0;
        for (int j = 0; j < x.length; j++) {
            double d = x[j] - mean.get(j);
            sum += d * d;
        }
        return sum;
    }
}
