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
        val spec = try {
            json.decodeFromString(ExperimentSpec.serializer(), text)
        } catch (e: SerializationException) {
            throw SpecException(JsonErrors(types, text).explain(e).lines())
        } catch (e: IllegalArgumentException) {
            if (e is SpecException) throw e
            throw SpecException(JsonErrors(types, text).explain(e).lines())
        }
        validate(spec)
        return spec
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
    }
}
