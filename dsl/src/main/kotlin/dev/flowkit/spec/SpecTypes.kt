package dev.flowkit.spec

import kotlinx.serialization.KSerializer
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.modules.SerializersModule
import kotlinx.serialization.modules.polymorphic
import kotlinx.serialization.serializer
import kotlin.reflect.KClass

/**
 * The component types a JSON spec may name, per component kind. Flowkit's own are in [builtIns];
 * a user extends it with [plus] to make their own component specs readable from JSON:
 *
 * ```
 * val types = SpecTypes.builtIns + SpecTypes.of(ScheduleSpec::class, MySchedule::class)
 * ```
 */
class SpecTypes private constructor(private val entries: List<Entry>) {

    /** One concrete spec class registered under its component kind [base]. */
    class Entry(val base: KClass<*>, val type: KClass<*>, val serializer: KSerializer<*>) {
        val tag: String get() = serializer.descriptor.serialName
    }

    operator fun plus(other: SpecTypes) = SpecTypes(entries + other.entries)

    /** The JSON type tags allowed for a component kind, e.g. `["linear", "cosine", …]` for schedules. */
    fun tags(base: KClass<*>): List<String> = entries.filter { it.base == base }.map { it.tag }

    /** The component kinds, by the simple name of their interface (e.g. `ScheduleSpec`). */
    fun kindNamed(simpleName: String): KClass<*>? = entries.map { it.base }.firstOrNull { it.simpleName == simpleName }

    fun descriptorOf(base: KClass<*>, tag: String): SerialDescriptor? =
        entries.firstOrNull { it.base == base && it.tag == tag }?.serializer?.descriptor

    val entriesView: List<Entry> get() = entries

    @Suppress("UNCHECKED_CAST")
    val serializersModule: SerializersModule by lazy {
        SerializersModule {
            entries.groupBy { it.base }.forEach { (base, list) ->
                polymorphic(base as KClass<Any>) {
                    list.forEach { subclass(it.type as KClass<Any>, it.serializer as KSerializer<Any>) }
                }
            }
        }
    }

    companion object {
        /** Registers [types] (each a `@Serializable` class or object) as components of kind [base]. */
        @JvmStatic
        fun of(base: KClass<*>, vararg types: KClass<*>): SpecTypes =
            SpecTypes(types.map { Entry(base, it, serializer(it.java)) })

        /** Java-friendly [of]. */
        @JvmStatic
        fun of(base: Class<*>, vararg types: Class<*>): SpecTypes = of(base.kotlin, *types.map { it.kotlin }.toTypedArray())

        @JvmStatic
        val builtIns: SpecTypes = listOf(
            of(DistributionSpec::class, Gaussian::class, GaussianMixture::class, Circle::class, Moons::class,
                Circles::class, Checkerboard::class, Uniform::class, Dataset::class, LangevinData::class),
            of(PotentialSpec::class, ExpressionPotential::class, Quadratic::class, Phi4Chain::class),
            of(ExprSpec::class, X::class, ConstantExpr::class, Values::class, Plus::class, Minus::class, Times::class, Div::class,
                Power::class, Sum::class, Differences::class, MatMul::class),
            of(ScheduleSpec::class, LinearSchedule::class, CosineSchedule::class, SqrtSchedule::class,
                PolynomialSchedule::class, VpSchedule::class, SubVpSchedule::class, VeSchedule::class, ExponentialVeSchedule::class),
            of(PathSpec::class, GaussianPath::class, LinearPath::class),
            of(NetworkSpec::class, Mlp::class, Conv1d::class, Unet::class, VelocityAndScore::class),
            of(ObjectiveSpec::class, FlowMatching::class, ScoreMatching::class, NoisePrediction::class,
                DataPrediction::class, FlowAndScoreMatching::class),
            of(OptimizerSpec::class, Adam::class),
            of(SamplerSpec::class, Euler::class, Heun::class, Midpoint::class, Rk4::class, Dopri5::class,
                EulerMaruyama::class, Langevin::class, Pc::class, DpmSolver::class, EdmHeun::class),
            of(TimeGridSpec::class, UniformGrid::class, KarrasGrid::class, LogSnrGrid::class),
            of(SigmaSpec::class, ConstantSigma::class, LinearSigma::class, NoiseStdSigma::class, ReverseSigma::class),
            of(CorrectorSpec::class, LangevinCorrector::class),
            of(MetricSpec::class, Wasserstein2::class, Mmd::class, MeanCovError::class, ClassAccuracy::class, Likelihood::class, Marginals::class, Fid::class),
            of(DivergenceSpec::class, ExactDivergence::class, Hutchinson::class),
        ).reduce(SpecTypes::plus)
    }
}
