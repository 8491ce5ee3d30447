package dev.flowkit.spec

import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json

/**
 * Reads and writes experiment specs as JSON. Reading is strict: unknown fields, unknown type tags,
 * missing required fields and wrong values are all rejected with a [SpecException] naming the field.
 */
class SpecJson @JvmOverloads constructor(val types: SpecTypes = SpecTypes.builtIns) {

    private val json = Json {
        serializersModule = types.serializersModule
        classDiscriminator = "type"
        encodeDefaults = true
        prettyPrint = true
        prettyPrintIndent = "  "
        explicitNulls = false
        allowSpecialFloatingPointValues = false
    }

    /** Parses and validates; throws [SpecException] with every problem found. */
    fun decode(text: String): ExperimentSpec {
        val spec = parse(text)
        validate(spec)
        return spec
    }

    /**
     * Parses without validating values: for the spec.json a run wrote (validated when it ran), whose data file need
     * not be reachable from here. Malformed JSON and unknown types or fields still throw [SpecException].
     */
    fun decodeRecorded(text: String): ExperimentSpec = parse(text)

    /** A sampler alone, e.g. `{"type": "heun", "steps": 50}` (a command-line option); validated with the experiment it joins. */
    fun decodeSampler(text: String): SamplerSpec = parse(text, kotlinx.serialization.PolymorphicSerializer(SamplerSpec::class))

    /** A data section alone (e.g. shipped to the tasks of a distributed simulation); not validated. */
    fun decodeData(text: String): DistributionSpec = parse(text, kotlinx.serialization.PolymorphicSerializer(DistributionSpec::class))

    fun encodeData(data: DistributionSpec): String = json.encodeToString(kotlinx.serialization.PolymorphicSerializer(DistributionSpec::class), data)

    private fun parse(text: String): ExperimentSpec = parse(text, ExperimentSpec.serializer())

    private fun <T> parse(text: String, serializer: kotlinx.serialization.KSerializer<T>): T {
        return try {
            json.decodeFromString(serializer, text)
        } catch (e: SerializationException) {
            throw SpecException(JsonErrors(types, text).explain(e).lines())
        } catch (e: IllegalArgumentException) {
            if (e is SpecException) throw e
            throw SpecException(JsonErrors(types, text).explain(e).lines())
        }
    }

    fun encode(spec: ExperimentSpec): String = json.encodeToString(ExperimentSpec.serializer(), spec)

    companion object {
        /** Built-in types only. */
        @JvmStatic
        val default = SpecJson()

        /** Throws [SpecException] unless [spec] is valid. */
        @JvmStatic
        fun validate(spec: ExperimentSpec) {
            val v = Validator()
            spec.validate(v)
            v.throwIfProblems()
        }

        /**
         * Validates a trained model's spec after a change to how it samples: every problem but the data's own (its
         * file was checked when the run trained, and need not be reachable now).
         */
        @JvmStatic
        fun validateWithoutData(spec: ExperimentSpec) {
            val v = Validator()
            spec.validate(v)
            val problems = try {
                v.throwIfProblems()
                return
            } catch (e: SpecException) {
                e.problems.filterNot { it.startsWith("data.") || it.startsWith("data:") }
            }
            if (problems.isNotEmpty()) throw SpecException(problems)
        }
    }
}
