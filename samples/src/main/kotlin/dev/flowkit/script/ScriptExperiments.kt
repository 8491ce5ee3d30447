package dev.flowkit.script

import dev.flowkit.spec.ExperimentSpec
import dev.flowkit.spec.SpecException
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.host.ScriptingHostConfiguration
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvm.compilationCache
import kotlin.script.experimental.jvm.jvm
import kotlin.script.experimental.jvmhost.BasicJvmScriptingHost
import kotlin.script.experimental.jvmhost.CompiledScriptJarsCache
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate
import kotlin.script.experimental.jvmhost.createJvmEvaluationConfigurationFromTemplate

/**
 * A script that did not give experiments: the lines to print, each `FILE:line:column: message` where there is a
 * place; lines indented by two spaces continue the one before.
 */
class ScriptException(val problems: List<String>) : IllegalArgumentException(problems.joinToString("\n"))

/**
 * Evaluates `*.flowkit.kts` experiment scripts with Kotlin's own scripting host. Compiled scripts are kept as jars in
 * [cacheDir], keyed by the script's text and the class path it was compiled against, so a second run of an unchanged
 * script skips the compiler.
 */
class ScriptExperiments(private val cacheDir: Path? = defaultCacheDir()) {
    private val host: BasicJvmScriptingHost by lazy {
        BasicJvmScriptingHost(ScriptingHostConfiguration {
            jvm {
                cacheDir?.let { dir ->
                    compilationCache(CompiledScriptJarsCache { script, _ -> File(dir.toFile(), cacheKey(script) + ".jar") })
                }
            }
        })
    }

    /** What a script evaluated to: one experiment or a list of them; otherwise a [ScriptException] naming what it was. */
    fun evaluate(file: Path): List<ExperimentSpec> {
        if (!Files.exists(file)) throw ScriptException(listOf("no such file: $file"))
        cacheDir?.let { Files.createDirectories(it) }
        val result = host.eval(file.toFile().toScriptSource(), createJvmCompilationConfigurationFromTemplate<FlowkitScript>(),
            createJvmEvaluationConfigurationFromTemplate<FlowkitScript>())
        val name = file.toString()
        val errors = result.reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR }
        if (result !is ResultWithDiagnostics.Success) {
            throw ScriptException(errors.map { describe(it, name) }.ifEmpty { listOf("$name: the script did not compile") })
        }
        return when (val value = result.value.returnValue) {
            is ResultValue.Value -> experiments(value.value, name)
            is ResultValue.Unit -> throw ScriptException(listOf("$name: the script evaluated to nothing (Unit); " +
                "end it with experiment(\"name\") { … } or a list of experiments"))
            is ResultValue.Error -> throw ScriptException(thrown(value.error, name))
            else -> throw ScriptException(listOf("$name: the script was not evaluated"))
        }
    }

    private fun experiments(value: Any?, name: String): List<ExperimentSpec> = when {
        value is ExperimentSpec -> listOf(value)
        value is dev.flowkit.dsl.Sweep -> value // keeps its axes
        value is Iterable<*> && value.all { it is ExperimentSpec } && value.any() -> value.map { it as ExperimentSpec }
        value is Iterable<*> && !value.any() -> throw ScriptException(listOf("$name: the script evaluated to an empty list; a sweep needs at least one experiment"))
        else -> throw ScriptException(listOf("$name: the script evaluated to ${describeValue(value)}, not an experiment; " +
            "end it with experiment(\"name\") { … } or a list of experiments"))
    }

    private fun describeValue(value: Any?): String {
        if (value == null) return "null"
        if (value is Iterable<*>) {
            val odd = value.first { it !is ExperimentSpec }
            return "a list holding ${odd?.let { it::class.qualifiedName } ?: "null"} ($odd)"
        }
        val text = value.toString().let { if (it.length > 60) it.take(57) + "…" else it }
        return "a ${value::class.qualifiedName} ($text)"
    }

    private fun describe(d: ScriptDiagnostic, name: String): String {
        val place = d.location?.start?.let { ":${it.line}:${it.col}" } ?: ""
        return "${d.sourcePath ?: name}$place: ${d.message}"
    }

    /** An exception from the script's own code, placed at the script line it came from; a spec's problems one per line. */
    private fun thrown(error: Throwable, name: String): List<String> {
        val fileName = File(name).name
        val place = name + (error.stackTrace.firstOrNull { it.fileName == fileName }?.lineNumber?.let { ":$it" } ?: "")
        if (error is SpecException) return listOf("$place: not a valid experiment:") + error.problems.map { "  $it" }
        return listOf("$place: the script threw ${error::class.simpleName}: ${error.message}")
    }

    companion object {
        /** The system property flowkit.scriptCache, else ~/.cache/flowkit/scripts (or under XDG_CACHE_HOME). */
        @JvmStatic
        fun defaultCacheDir(): Path {
            System.getProperty("flowkit.scriptCache")?.let { return Path.of(it) }
            val base = System.getenv("XDG_CACHE_HOME")?.let { Path.of(it) } ?: Path.of(System.getProperty("user.home"), ".cache")
            return base.resolve("flowkit").resolve("scripts")
        }

        /** The script's text and the class path it compiles against: a rebuilt Flowkit compiles its scripts again. */
        private fun cacheKey(script: SourceCode): String {
            val digest = MessageDigest.getInstance("SHA-256")
            digest.update(script.text.toByteArray())
            digest.update(0)
            digest.update(System.getProperty("java.class.path").toByteArray())
            for (entry in System.getProperty("java.class.path").split(File.pathSeparator)) {
                val f = File(entry)
                digest.update(f.lastModified().toString().toByteArray()) // a folder of classes rebuilt in place
            }
            return digest.digest().joinToString("") { "%02x".format(it) }.take(32)
        }
    }
}
