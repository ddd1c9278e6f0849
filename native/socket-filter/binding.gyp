{
  "targets": [
    {
      "target_name": "socket_filter",
      "sources": ["socket_filter.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
