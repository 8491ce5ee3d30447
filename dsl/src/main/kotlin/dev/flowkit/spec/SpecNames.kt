package dev.flowkit.spec

import kotlinx.serialization.SerializationException
import kotlinx.serialization.serializer

/** A component's name as users write it: its JSON type tag (`euler-maruyama`), for messages. */
object SpecNames {
    fun of(spec: Any): String = try {
        serializer(spec::class.java).descriptor.serialName
    } catch (e: SerializationException) {
        spec::class.simpleName ?: spec.toString()
    } catch (e: IllegalArgumentException) {
        spec::class.simpleName ?: spec.toString()
    }
}
