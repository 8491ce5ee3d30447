package dev.flowkit.script

import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.jvm.dependenciesFromCurrentContext
import kotlin.script.experimental.jvm.jvm

/**
 * The script definition of `*.flowkit.kts` experiment files: the body is the DSL itself (Flowkit's DSL and spec types
 * imported by default) and the script's value — its last expression — is the experiment, or a list of experiments
 * (a sweep).
 */
@KotlinScript(fileExtension = "flowkit.kts", compilationConfiguration = FlowkitScriptCompilation::class)
abstract class FlowkitScript

object FlowkitScriptCompilation : ScriptCompilationConfiguration({
    defaultImports("dev.flowkit.dsl.*", "dev.flowkit.spec.*")
    jvm {
        // the script sees what the CLI sees: the DSL, the spec types and the Kotlin standard library
        dependenciesFromCurrentContext(wholeClasspath = true)
    }
})
