package dev.flowkit.spec

/** A spec that was rejected: every problem found, each naming its field by path. */
class SpecException(val problems: List<String>) :
    IllegalArgumentException(problems.joinToString(separator = "\n"))

/** Anything that can check its own fields; [validate] receives a validator positioned at the spec's path. */
interface Validated {
    fun validate(v: Validator) {}
}

/**
 * Collects problems while walking a spec tree. Each validator knows its field path
 * (`train.optimizer.learningRate`) so that messages name the field exactly.
 */
class Validator private constructor(val path: String, private val problems: MutableList<String>) {
    constructor() : this("", mutableListOf())

    fun at(field: String): Validator = Validator(join(path, field), problems)
    fun at(index: Int): Validator = Validator("$path[$index]", problems)

    /** Records [message] for [field] (relative to this validator's path) unless [ok]. */
    fun check(ok: Boolean, field: String, message: () -> String) {
        if (!ok) problems += "${join(path, field)}: ${message()}"
    }


    fun positive(field: String, value: Int) = check(value > 0, field) { "must be > 0, was $value" }
    fun positive(field: String, value: Double) =
        check(representable(value) && value > 0, field) { "must be a finite number > 0, was $value" }
    fun nonNegative(field: String, value: Double) =
        check(representable(value) && value >= 0, field) { "must be a finite number >= 0, was $value" }
    fun finite(field: String, value: Double) = check(representable(value), field) { "must be finite, was $value" }
    fun inRange(field: String, value: Double, low: Double, high: Double, lowOpen: Boolean = false, highOpen: Boolean = false) {
        val okLow = if (lowOpen) value > low else value >= low
        val okHigh = if (highOpen) value < high else value <= high
        check(representable(value) && okLow && okHigh, field) {
            "must be in ${if (lowOpen) "(" else "["}$low, $high${if (highOpen) ")" else "]"}, was $value"
        }
    }
    fun allFinite(field: String, values: List<Double>) {
        values.forEachIndexed { i, x -> finite("$field[$i]", x) }
    }

    /** Validates a nested component. */
    fun nested(field: String, spec: Validated?) { spec?.validate(at(field)) }

    /** Throws a [SpecException] listing every problem found, if any. */
    fun throwIfProblems() {
        if (problems.isNotEmpty()) throw SpecException(problems.toList())
    }

    private companion object {
        /** Graphs compute in float32: a "finite" double beyond its range would become infinite there. */
        fun representable(value: Double) = value.isFinite() && kotlin.math.abs(value) <= Float.MAX_VALUE
        fun join(path: String, field: String) = when {
            path.isEmpty() -> field
            field.isEmpty() -> path
            field.startsWith("[") -> path + field
            else -> "$path.$field"
        }
    }
}
