{
  "targets": [
    {
      "target_name": "pocketsphinx_addon",
      "sources": ["src/pocketsphinx-addon.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags pocketsphinx sphinxbase)"],
      "libraries": ["<!@(pkg-config --libs pocketsphinx sphinxbase)"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
