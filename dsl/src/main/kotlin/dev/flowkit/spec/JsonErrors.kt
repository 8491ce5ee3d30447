package dev.flowkit.spec

internal object JsonErrors {
    fun explain(e: Exception, types: SpecTypes): String = e.message ?: e.toString()
}
