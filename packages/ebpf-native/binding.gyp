{
  "targets": [
    {
      "target_name": "vigil_bpf",
      "sources": [
        "src/addon/addon.cc",
        "src/addon/errors.cc",
        "src/addon/object.cc",
        "src/addon/ring-buffer.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": [
        "<!@(pkg-config --libs libbpf)"
      ]
    }
  ]
}
