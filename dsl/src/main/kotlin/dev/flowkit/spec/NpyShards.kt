package dev.flowkit.spec

import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject

/**
 * One array stored as .npy shards (one per task of a distributed draw) and a JSON manifest naming them in order:
 * `{"format": "npy-shards", "dtype": "<f4", "shape": [N, …], "shards": [{"file": "samples-00000.npy", "rows": …}, …]}`,
 * shard files relative to the manifest. Anywhere Flowkit reads an .npy of rows (`dataset(file, labels)`), a manifest
 * reads as the concatenation of its shards. [summary] carries whatever the writer adds (seed, statistics); readers ignore it.
 */
@Serializable
data class NpyShards(
    val format: String = FORMAT,
    val dtype: String,
    val shape: List<Long>,
    val shards: List<Shard>,
    val summary: JsonObject? = null,
) {
    @Serializable
    data class Shard(val file: String, val rows: Long)

    /** The header of the whole array (no data offset: its values live in the shards). */
    val header: NpyHeader get() = NpyHeader(dtype, shape, -1)

    /** The shard files, resolved against the manifest's folder [dir]. */
    fun files(dir: Path): List<Path> = shards.map { dir.resolve(it.file) }

    fun encode(): String = JSON.encodeToString(serializer(), this)

    companion object {
        const val FORMAT = "npy-shards"
        private val JSON = Json { prettyPrint = true; ignoreUnknownKeys = true; encodeDefaults = true; explicitNulls = false }

        /** Whether [file] names a shard manifest rather than an .npy file. */
        @JvmStatic
        fun isManifest(file: Path): Boolean = file.fileName.toString().endsWith(".json")

        /** Reads and checks a manifest: every shard exists with the rows and row shape the manifest gives. */
        @JvmStatic
        @Throws(IOException::class)
        fun read(file: Path): NpyShards {
            val manifest = try {
                JSON.decodeFromString(serializer(), Files.readString(file))
            } catch (e: kotlinx.serialization.SerializationException) {
                throw IOException("not a shard manifest (${e.message?.lineSequence()?.first()})")
            } catch (e: IllegalArgumentException) {
                throw IOException("not a shard manifest (${e.message?.lineSequence()?.first()})")
            }
            if (manifest.format != FORMAT) throw IOException("format is '${manifest.format}', not '$FORMAT'")
            val dir = file.toAbsolutePath().parent
            var rows = 0L
            manifest.shards.forEachIndexed { i, shard ->
                val header = try {
                    NpyHeader.read(dir.resolve(shard.file))
                } catch (e: IOException) {
                    throw IOException("shard $i (${shard.file}): ${if (e is java.nio.file.NoSuchFileException) "no such file" else e.message}")
                }
                if (header.rows != shard.rows || header.shape.drop(1) != manifest.shape.drop(1) || header.dtype != manifest.dtype) {
                    throw IOException("shard $i (${shard.file}) holds ${header.dtype} ${header.shape}, the manifest says ${manifest.dtype} " +
                        "[${shard.rows}, ${manifest.shape.drop(1).joinToString()}]")
                }
                rows += header.rows
            }
            if (rows != manifest.shape.first()) throw IOException("its shards hold $rows rows, its shape says ${manifest.shape.first()}")
            return manifest
        }
    }
}
