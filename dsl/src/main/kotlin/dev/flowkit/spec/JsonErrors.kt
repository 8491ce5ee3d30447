package dev.flowkit.spec

import kotlinx.serialization.descriptors.PrimitiveKind
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.descriptors.StructureKind
import kotlinx.serialization.descriptors.elementNames
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive

/**
 * Turns kotlinx-serialization's decoding errors into messages in Flowkit's form: the field's path,
 * what is wrong, and what is allowed (field names, type tags or enum values).
 */
internal class JsonErrors(private val types: SpecTypes, private val text: String) {

    fun explain(e: Exception): String {
        val message = e.message.orEmpty()
        runCatching { Json.parseToJsonElement(text) }.exceptionOrNull()?.let {
            return "spec: not valid JSON: " + tokenMessage(it.message.orEmpty())
        }
        val path = Regex("""at path:? \$?([^\s]*)""").find(message)?.groupValues?.get(1)?.let(::cleanPath).orEmpty()
        Regex("""unknown key '([^']*)'""").find(message)?.let { m ->
            val allowed = descriptorAt(path)?.let { d -> d.elementNames.filter { it != "type" } }
            return "${join(path, m.groupValues[1])}: unknown field" +
                (allowed?.let { "; allowed fields here: ${it.joinToString()}" } ?: "")
        }
        Regex("""Field '([^']*)' is required""").find(message)?.let { m ->
            val fields = Regex("""Fields \[([^\]]*)\] are required""").find(message)?.groupValues?.get(1)
            val missing = fields?.split(",")?.map { it.trim() } ?: listOf(m.groupValues[1])
            return missing.joinToString("\n") { "${join(path, it)}: is required but missing" }
        }
        Regex("""Fields \[([^\]]*)\] are required""").find(message)?.let { m ->
            return m.groupValues[1].split(",").joinToString("\n") { "${join(path, it.trim())}: is required but missing" }
        }
        Regex("""Serializer for subclass '([^']*)' is not found in the polymorphic scope of '([^']*)'""").find(message)?.let { m ->
            val allowed = types.kindNamed(m.groupValues[2])?.let(types::tags)
            return "${join(path, "type")}: unknown type '${m.groupValues[1]}'" +
                (allowed?.let { "; allowed: ${it.joinToString()}" } ?: "")
        }
        Regex("""Class discriminator was missing.*polymorphic scope of '([^']*)'""").find(message)?.let { m ->
            val allowed = types.kindNamed(m.groupValues[1])?.let(types::tags)
            return "${join(path, "type")}: is required (which component?)" +
                (allowed?.let { "; allowed: ${it.joinToString()}" } ?: "")
        }
        Regex("""does not contain element with name '([^']*)'""").find(message)?.let { m ->
            val allowed = descriptorOfValueAt(path)?.elementNames?.toList()
            return "$path: unknown value '${m.groupValues[1]}'" + (allowed?.let { "; allowed: ${it.joinToString()}" } ?: "")
        }
        val first = tokenMessage(message)
        if (path.isEmpty()) return "spec: $first"
        val expected = descriptorOfValueAt(path)?.let(::describe)
        return "$path: " + (expected?.let { "must be $it ($first)" } ?: first)
    }

    /** The first line of a kotlinx message, without its offset and path decorations. */
    private fun tokenMessage(message: String) = message.lineSequence().first()
        .replace(Regex("""\s*at path:? \S*"""), "")
        .replace(Regex("""Unexpected JSON token at offset (\d+): """), "at character $1: ")
        .trim()

    private fun describe(d: SerialDescriptor): String? = when (d.kind) {
        PrimitiveKind.INT, PrimitiveKind.LONG, PrimitiveKind.SHORT, PrimitiveKind.BYTE -> "a whole number"
        PrimitiveKind.DOUBLE, PrimitiveKind.FLOAT -> "a number"
        PrimitiveKind.STRING -> "a string"
        PrimitiveKind.BOOLEAN -> "true or false"
        StructureKind.LIST -> "a list"
        else -> null
    }

    /** `$.evaluate[0].type` → `evaluate[0].type`. */
    private fun cleanPath(raw: String) = raw.removePrefix("$").removePrefix(".").trimEnd('.', ',', ';')

    private fun join(path: String, field: String) = if (path.isEmpty()) field else "$path.$field"

    /** The class descriptor of the object at [path] (resolving polymorphic objects by their "type"). */
    private fun descriptorAt(path: String): SerialDescriptor? {
        val root = runCatching { Json.parseToJsonElement(text) }.getOrNull() ?: return null
        var element: JsonElement = root
        var descriptor: SerialDescriptor = ExperimentSpec.serializer().descriptor
        for (segment in segments(path)) {
            descriptor = concrete(descriptor, element) ?: return null
            when (segment) {
                is Int -> {
                    element = (element as? JsonArray)?.getOrNull(segment) ?: return null
                    descriptor = descriptor.getElementDescriptor(0)
                }
                else -> {
                    val name = segment as String
                    val index = descriptor.getElementIndex(name).takeIf { it >= 0 } ?: return null
                    element = (element as? JsonObject)?.get(name) ?: return null
                    descriptor = descriptor.getElementDescriptor(index)
                }
            }
        }
        return concrete(descriptor, element)
    }

    private fun descriptorOfValueAt(path: String): SerialDescriptor? {
        val parentPath = path.substringBeforeLast('.', "")
        val field = path.substringAfterLast('.')
        val parent = descriptorAt(parentPath) ?: return null
        val index = parent.getElementIndex(field).takeIf { it >= 0 } ?: return null
        return parent.getElementDescriptor(index)
    }

    /** For a polymorphic slot, the descriptor of the registered type named by the element's "type". */
    private fun concrete(descriptor: SerialDescriptor, element: JsonElement): SerialDescriptor? {
        val name = descriptor.serialName.removeSuffix("?")
        val base = Regex("""Polymorphic<(\w+)>""").find(name)?.groupValues?.get(1)
            ?: return descriptor
        val kind = types.kindNamed(base) ?: return null
        val tag = ((element as? JsonObject)?.get("type") as? JsonPrimitive)?.content ?: return null
        return types.descriptorOf(kind, tag)
    }

    private fun segments(path: String): List<Any> =
        if (path.isEmpty()) emptyList()
        else path.split('.').flatMap { part ->
            val name = part.substringBefore('[')
            val indices = Regex("""\[(\d+)]""").findAll(part).map { it.groupValues[1].toInt() }.toList()
            (if (name.isEmpty()) emptyList<Any>() else listOf<Any>(name)) + indices
        }
}
