package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * An expression over a point x ∈ R^dim, compiled into the graph: its value is a vector (one entry per coordinate,
 * per neighbour pair, …) or a scalar (length 1, broadcast against vectors). A potential's energy is a scalar one.
 */
interface ExprSpec {
    /** Length of the value for points of dimension [dim] (1: a scalar); null when the expression is inconsistent. */
    fun length(dim: Int): Int?

    /** Records problems under [v] (e.g. vectors of different lengths combined). */
    fun validate(v: Validator, dim: Int) {}
}

/** The point x itself. */
@Serializable
@SerialName("x")
data object X : ExprSpec {
    override fun length(dim: Int) = dim
}

@Serializable
@SerialName("constant")
data class ConstantExpr(val value: Double) : ExprSpec {
    override fun length(dim: Int) = 1
    override fun validate(v: Validator, dim: Int) = v.finite("value", value)
}

/** Elementwise arithmetic; a scalar side is broadcast, two vectors must have the same length. */
sealed interface Binary : ExprSpec {
    val a: ExprSpec
    val b: ExprSpec

    override fun length(dim: Int): Int? {
        val (la, lb) = (a.length(dim) ?: return null) to (b.length(dim) ?: return null)
        return if (la == lb || lb == 1) la else if (la == 1) lb else null
    }

    override fun validate(v: Validator, dim: Int) {
        a.validate(v.at("a"), dim)
        b.validate(v.at("b"), dim)
        val (la, lb) = a.length(dim) to b.length(dim)
        v.check(la == null || lb == null || la == lb || la == 1 || lb == 1, "") {
            "combines vectors of lengths $la and $lb; elementwise operations need equal lengths or a scalar side"
        }
    }
}

@Serializable @SerialName("plus") data class Plus(override val a: ExprSpec, override val b: ExprSpec) : Binary
@Serializable @SerialName("minus") data class Minus(override val a: ExprSpec, override val b: ExprSpec) : Binary
@Serializable @SerialName("times") data class Times(override val a: ExprSpec, override val b: ExprSpec) : Binary
@Serializable @SerialName("div") data class Div(override val a: ExprSpec, override val b: ExprSpec) : Binary

/** A constant vector. */
@Serializable
@SerialName("vector")
data class Values(val values: List<Double>) : ExprSpec {
    override fun length(dim: Int) = values.size.takeIf { it > 0 }
    override fun validate(v: Validator, dim: Int) {
        v.check(values.isNotEmpty(), "values") { "must list at least one value" }
        v.allFinite("values", values)
    }
}

/** Elementwise of^exponent (negative bases need a whole exponent). */
@Serializable
@SerialName("pow")
data class Power(val of: ExprSpec, val exponent: Double) : ExprSpec {
    override fun length(dim: Int) = of.length(dim)
    override fun validate(v: Validator, dim: Int) {
        of.validate(v.at("of"), dim)
        v.finite("exponent", exponent)
    }
}

/** The sum of a vector's entries: a scalar. */
@Serializable
@SerialName("sum")
data class Sum(val of: ExprSpec) : ExprSpec {
    override fun length(dim: Int) = of.length(dim)?.let { 1 }
    override fun validate(v: Validator, dim: Int) = of.validate(v.at("of"), dim)
}

/**
 * Differences of neighbours along a chain, with [boundary] beyond both ends: for a vector of length k,
 * [of_1 − boundary, of_2 − of_1, …, of_k − of_{k−1}, boundary − of_k] (length k + 1).
 */
@Serializable
@SerialName("differences")
data class Differences(val of: ExprSpec, val boundary: Double = 0.0) : ExprSpec {
    override fun length(dim: Int) = of.length(dim)?.let { it + 1 }
    override fun validate(v: Validator, dim: Int) {
        of.validate(v.at("of"), dim)
        v.finite("boundary", boundary)
    }
}

/** The matrix–vector product [matrix] · of (rows × length(of)). */
@Serializable
@SerialName("matmul")
data class MatMul(val of: ExprSpec, val matrix: List<List<Double>>) : ExprSpec {
    override fun length(dim: Int) = matrix.size.takeIf { it > 0 }
    override fun validate(v: Validator, dim: Int) {
        of.validate(v.at("of"), dim)
        val n = of.length(dim)
        v.check(matrix.isNotEmpty() && matrix.all { it.size == n }, "matrix") {
            "must have rows of the operand's length ($n), had ${matrix.map { it.size }.distinct()}"
        }
        matrix.forEachIndexed { i, row -> v.allFinite("matrix[$i]", row) }
    }
}

/** A potential V: R^dim → R; its Gibbs measure at temperature T is exp(−V(x)/T)/Z. Gradients come from TensorFlow. */
interface PotentialSpec : Validated {
    val dim: Int

    /** V(x) as a scalar expression (what the runtime compiles). */
    fun energy(): ExprSpec

    /**
     * A symmetric matrix A such that V(x) − ½ xᵀAx is the mild part of V (null when unknown): the stiff quadratic
     * part that the semi-implicit integrator treats implicitly.
     */
    fun quadraticPart(): List<List<Double>>? = null

    /**
     * V(x) − ½ xᵀAx as an expression of x, when the potential can write it (null otherwise): the gradient is then
     * A x + ∇(this), the stiff part by one matrix product instead of differentiating through it (for the φ⁴ chain,
     * 4.2 against 17 ms per step of 20 000 chains × 64 sites: its differences' gradient is the costly part).
     */
    fun mildPart(): ExprSpec? = null
}

/** V(x) = [energy], written with the DSL's `potential(dim) { … }`. */
@Serializable
@SerialName("potential")
data class ExpressionPotential(override val dim: Int, val energy: ExprSpec) : PotentialSpec {
    override fun energy() = energy

    override fun validate(v: Validator) {
        v.positive("dim", dim)
        if (dim <= 0) return
        energy.validate(v.at("energy"), dim)
        val n = energy.length(dim)
        v.check(n == null || n == 1, "energy") { "must be a scalar (wrap vectors in sum(…)), has length $n" }
    }
}

/** V(x) = ½ (x − mean)ᵀ P (x − mean) with a symmetric positive-definite precision P: Gibbs measure N(mean, T P⁻¹). */
@Serializable
@SerialName("quadratic")
data class Quadratic(val precision: List<List<Double>>, val mean: List<Double> = emptyList()) : PotentialSpec {
    override val dim: Int get() = precision.size

    override fun energy(): ExprSpec {
        val centred = if (mean.isEmpty()) X else Minus(X, Values(mean))
        return Times(ConstantExpr(0.5), Sum(Times(centred, MatMul(centred, precision))))
    }

    override fun quadraticPart() = precision

    override fun validate(v: Validator) {
        v.check(precision.isNotEmpty() && precision.all { it.size == precision.size }, "precision") {
            "must be a square matrix, had ${precision.size} rows of lengths ${precision.map { it.size }.distinct()}"
        }
        precision.forEachIndexed { i, row -> v.allFinite("precision[$i]", row) }
        if (precision.any { it.size != precision.size }) return
        v.check(precision.indices.all { i -> precision.indices.all { j -> precision[i][j] == precision[j][i] } }, "precision") {
            "must be symmetric"
        }
        v.check(choleskyWorks(precision), "precision") { "must be positive definite (its Gibbs measure must be normalizable)" }
        v.check(mean.isEmpty() || mean.size == dim, "mean") { "must have $dim entries (or be omitted for the origin), had ${mean.size}" }
        v.allFinite("mean", mean)
    }

    private fun choleskyWorks(a: List<List<Double>>): Boolean {
        val n = a.size
        val l = Array(n) { DoubleArray(n) }
        for (i in 0 until n) for (j in 0..i) {
            val s = a[i][j] - (0 until j).sumOf { l[i][it] * l[j][it] }
            if (i == j) { if (s <= 0) return false; l[i][i] = kotlin.math.sqrt(s) } else l[i][j] = s / l[j][j]
        }
        return true
    }
}

/**
 * The Ginzburg–Landau (φ⁴) chain of [d] sites: V(x) = λ/2 Σ_{i=1}^{d+1} ((x_i − x_{i−1})/h)² + 1/(4λ) Σ_{i=1}^{d} (1 − x_i²)²
 * with x_0 = x_{d+1} = [boundary] and h = 1/(d + 1) unless given.
 */
@Serializable
@SerialName("phi4-chain")
data class Phi4Chain(val d: Int, val lambda: Double, val h: Double? = null, val boundary: Double = 0.0) : PotentialSpec {
    override val dim: Int get() = d

    /** The lattice spacing used. */
    val spacing: Double get() = h ?: (1.0 / (d + 1))

    override fun energy(): ExprSpec = Plus(
        Times(ConstantExpr(lambda / 2), Sum(Power(Div(Differences(X, boundary), ConstantExpr(spacing)), 2.0))),
        Times(ConstantExpr(1 / (4 * lambda)), Sum(Power(Minus(ConstantExpr(1.0), Power(X, 2.0)), 2.0))),
    )

    /**
     * The on-site wells, and the boundary's terms of the springs: λ/(2h²)[(x₁ − b)² + (b − x_d)²] less the Laplacian's
     * λ/(2h²)(x₁² + x_d²) is λ/h² (b² − b (x₁ + x_d)).
     */
    override fun mildPart(): ExprSpec {
        val wells: ExprSpec = Times(ConstantExpr(1 / (4 * lambda)), Sum(Power(Minus(ConstantExpr(1.0), Power(X, 2.0)), 2.0)))
        if (boundary == 0.0) return wells
        val ends = MatMul(X, listOf(List(d) { j -> if (j == 0 || j == d - 1) 1.0 else 0.0 }))
        val scale = lambda / (spacing * spacing)
        return Plus(wells, Times(ConstantExpr(scale), Minus(ConstantExpr(boundary * boundary), Times(ConstantExpr(boundary), Sum(ends)))))
    }

    /** The springs: λ/h² times the chain's Laplacian tridiag(−1, 2, −1) (the boundary's linear term stays in the mild part). */
    override fun quadraticPart(): List<List<Double>> = List(d) { i ->
        List(d) { j -> lambda / (spacing * spacing) * (if (i == j) 2.0 else if (kotlin.math.abs(i - j) == 1) -1.0 else 0.0) }
    }

    override fun validate(v: Validator) {
        v.positive("d", d)
        v.positive("lambda", lambda)
        h?.let { v.positive("h", it) }
        v.finite("boundary", boundary)
    }
}

/** How a Langevin step moves a chain (see [LangevinData]). */
@Serializable
enum class LangevinIntegrator {
    /** Euler–Maruyama: x ← x − ∇V(x) dt + √(2T dt) ξ. Stable while dt < 2/L, L the largest curvature of V met. */
    @SerialName("euler") EULER,

    /**
     * Metropolis-adjusted Langevin: the Euler step y = x − ∇V(x) dt + √(2T dt) ξ as a proposal, accepted with the
     * Metropolis–Hastings probability min(1, exp(−(V(y) − V(x))/T) q(x | y)/q(y | x)) of the Gaussian proposal
     * densities, per chain; otherwise the chain stays. Its stationary law is exactly exp(−V/T)/Z at every dt (no
     * time-step bias); dt sets only how fast it mixes: it is the starting step, tuned during the first fifth of the
     * steps toward an acceptance of 0.6, then frozen (so the rest is an exact chain). The acceptance rate is reported. Where
     * ∇V is steep (φ⁴ far out) the Euler proposal overshoots and a chain started there may never move: start the
     * chains near typical states (init) or lower dt.
     */
    @SerialName("mala") MALA,

    /**
     * Tamed Euler (Hutzenthaler–Jentzen–Kloeden): the drift step −∇V dt is divided by 1 + dt‖∇V‖, so a step can
     * never move a chain by more than 1 + the noise. Same dt → 0 limit and O(dt) bias as Euler, but it cannot
     * explode: use it when V grows faster than quadratically (φ⁴) and Euler diverges at the dt you can afford,
     * or while chains start far out in the tails.
     */
    @SerialName("tamed") TAMED,

    /**
     * Linearly implicit Euler for V = ½ xᵀAx + U(x) with A the potential's stiff quadratic part (phi4-chain: its
     * springs; quadratic: all of it): x ← (I + dt A)⁻¹ (x − dt ∇U(x) + √(2T dt) ξ). The springs no longer limit dt
     * (explicit Euler needs dt < 2/(4λ/h²) on the φ⁴ chain, 10⁻³ at d = 128); only the curvature of U does. Use it for
     * long stiff chains; its bias is O(dt) like Euler's.
     */
    @SerialName("semi-implicit") SEMI_IMPLICIT,
}

/**
 * Samples of the Gibbs measure exp(−V(x)/T)/Z of [potential], simulated by overdamped Langevin dynamics
 * dX = −∇V(X) dt + √(2T) dW: [samples] + [reference] independent chains from [init] (default N(0, I)), each
 * run [steps] steps of [dt]; each chain's end point is one sample. [samples] of them train the model, the other
 * [reference] are held out for evaluation. The simulation runs in the graph in chunks of chains, seeded by [seed];
 * with [save], its result is written to that .npy file (with a .json beside it recording this spec) and read back
 * instead of simulating again while the spec is unchanged; a [save] ending in .json names a manifest of .npy shards
 * (see [NpyShards]) that records the spec itself, as a simulation split over a Spark cluster writes it.
 */
@Serializable
@SerialName("langevin")
data class LangevinData(
    val potential: PotentialSpec,
    val temperature: Double = 1.0,
    val samples: Int = 100_000,
    val reference: Int = 10_000,
    val dt: Double = 1e-3,
    val steps: Int = 10_000,
    val init: DistributionSpec? = null,
    val integrator: LangevinIntegrator = LangevinIntegrator.EULER,
    val seed: Long = 0,
    val save: String? = null,
) : FiniteDataSpec {
    override val dim: Int get() = potential.dim
    override val trainingRows: Long get() = samples.toLong()
    override val heldOutRows: Long get() = reference.toLong()

    /** The chains' starting distribution. */
    val initOrDefault: DistributionSpec get() = init ?: Gaussian(dim = dim)

    override fun validate(v: Validator) {
        v.nested("potential", potential)
        v.positive("temperature", temperature)
        v.positive("samples", samples)
        v.positive("reference", reference)
        v.positive("dt", dt)
        v.positive("steps", steps)
        init?.let {
            v.nested("init", it)
            v.check(it.dim == dim, "init.dim") { "must equal the potential's dimension ($dim), was ${it.dim}" }
        }
        v.check(integrator != LangevinIntegrator.SEMI_IMPLICIT || potential.quadraticPart() != null, "integrator") {
            "semi-implicit needs a potential with a known quadratic part (phi4-chain or quadratic); use euler or tamed"
        }
        v.check(save == null || save.endsWith(".npy") || save.endsWith(".json"), "save") {
            "must name an .npy file, or a .json manifest of .npy shards (what ./flowkit simulate --master writes), was '$save'"
        }
        v.check(samples.toLong() * dim <= Int.MAX_VALUE.toLong() && reference.toLong() * dim <= Int.MAX_VALUE.toLong(), "samples") {
            "samples × dim must stay below 2³¹ values, was ${samples.toLong() * dim}"
        }
    }
}
