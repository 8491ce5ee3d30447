#!/usr/bin/env bash
# Builds Flowkit's native TensorFlow kernels (libflowkit_kernels.so) into $1, run by Maven before the resources are
# packed. Without a C compiler, or off x86-64 Linux, it builds nothing and says so: the runtime then composes the same
# numbers from TensorFlow's own ops (graph/NativeKernels).
set -euo pipefail
out="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cc="${CC:-cc}"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "flowkit: native kernels are built on x86-64 Linux only; using TensorFlow's ops instead" >&2; exit 0
fi
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "flowkit: no C compiler ($cc) found; native kernels not built, TensorFlow's ops are used instead" >&2; exit 0
fi
mkdir -p "$out"
lib="$out/libflowkit_kernels.so"
newest="$(ls -t "$here"/*.c "$here"/*.h "$here/build.sh" | head -1)"
[ -f "$lib" ] && [ "$lib" -nt "$newest" ] && exit 0
# AVX2 and FMA are compiled in; the library checks the CPU when loaded and registers nothing without them
"$cc" -O3 -mavx2 -mfma -std=gnu11 -Wall -Wextra -shared -fPIC -o "$lib.tmp" "$here"/*.c -lm -ldl \
  || { echo "flowkit: native kernels failed to build; TensorFlow's ops are used instead" >&2; rm -f "$lib.tmp"; exit 0; }
mv "$lib.tmp" "$lib"
