{
  "targets": [
    {
      "target_name": "media_addon",
      "sources": ["src/media-addon.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
