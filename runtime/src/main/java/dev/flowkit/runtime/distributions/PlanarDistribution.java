package dev.flowkit.runtime.distributions;

/** A distribution on the plane described by its spec [S]. */
abstract class PlanarDistribution<S> implements Distribution {
    protected final S spec;

    PlanarDistribution(S spec) {
        this.spec = spec;
    }

    @Override
    public final int dim() {
        return 2;
    }
}
