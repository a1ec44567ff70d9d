# ringbus optional native addon: thread CPU affinity, current CPU, sched_yield, thread id.
# Built by scripts/build-native.mjs (the package's `install` script); never required to run the bus.
{
  "targets": [
    {
      "target_name": "ringbus_native",
      "sources": ["src/ringbus_native.cc", "src/affinity_linux.cc", "src/affinity_stub.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-fno-exceptions", "-Wall", "-Wextra"],
      "cflags_cc": ["-fno-exceptions", "-std=c++17", "-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 0 }
      }
    }
  ]
}
