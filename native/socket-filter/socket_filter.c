/*
 * setsockopt(SO_ATTACH_FILTER) for Node, which has no setsockopt: a classic BPF program attached
 * to a socket runs in the kernel on every packet before it is queued, and a packet it returns 0
 * for is dropped there, never read into JavaScript. Plain Node-API (node_api.h), no C++.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#endif

/* The kernel's own limit on a classic BPF program (BPF_MAXINSNS). */
#define MAX_INSTRUCTIONS 4096
#define INSTRUCTION_BYTES 8

static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  const char *code = "EUNKNOWN";
  switch (err) {
    case EBADF: code = "EBADF"; break;
    case EINVAL: code = "EINVAL"; break;
    case ENOTSOCK: code = "ENOTSOCK"; break;
    case ENOMEM: code = "ENOMEM"; break;
    case EPERM: code = "EPERM"; break;
    case ENOPROTOOPT: code = "ENOPROTOOPT"; break;
    case ENOENT: code = "ENOENT"; break;
    case ENOTSUP: code = "ENOTSUP"; break;
    default: break;
  }
  char message[160];
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_throw_error(env, code, message);
  return NULL;
}

/* The fd argument: a non-negative integer. */
static int fd_argument(napi_env env, napi_value value, int32_t *fd) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number ||
      napi_get_value_int32(env, value, fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fd must be a non-negative integer");
    return 0;
  }
  return 1;
}

/* attachFilter(fd, program: Uint8Array) */
static napi_value attach_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "attachFilter(fd, program)");
    return NULL;
  }
  int32_t fd;
  if (!fd_argument(env, argv[0], &fd)) return NULL;
  bool is_array = false;
  napi_is_typedarray(env, argv[1], &is_array);
  if (!is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "program must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type kind;
  size_t length;
  void *data;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[1], &kind, &length, &data, NULL, &offset) != napi_ok) return NULL;
  if (kind != napi_uint8_array || length == 0 || length % INSTRUCTION_BYTES != 0 ||
      length / INSTRUCTION_BYTES > MAX_INSTRUCTIONS) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "program must be a Uint8Array of 1 to 4096 instructions of 8 bytes");
    return NULL;
  }
#ifdef __linux__
  size_t count = length / INSTRUCTION_BYTES;
  /* Copied so the instructions are aligned whatever the view's offset. */
  struct sock_filter *code = malloc(length);
  if (code == NULL) return throw_errno(env, ENOMEM, "attachFilter");
  memcpy(code, data, length);
  struct sock_fprog program = {.len = (unsigned short)count, .filter = code};
  int result = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program);
  int err = errno;
  free(code);
  if (result != 0) return throw_errno(env, err, "setsockopt(SO_ATTACH_FILTER)");
  return NULL;
#else
  (void)fd;
  (void)data;
  return throw_errno(env, ENOTSUP, "setsockopt(SO_ATTACH_FILTER)");
#endif
}

/* detachFilter(fd) */
static napi_value detach_filter(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "detachFilter(fd)");
    return NULL;
  }
  int32_t fd;
  if (!fd_argument(env, argv[0], &fd)) return NULL;
#ifdef __linux__
  int unused = 0;
  if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0)
    return throw_errno(env, errno, "setsockopt(SO_DETACH_FILTER)");
  return NULL;
#else
  return throw_errno(env, ENOTSUP, "setsockopt(SO_DETACH_FILTER)");
#endif
}

/*
 * socketDrops(fd): the socket's drop counter (SK_MEMINFO_DROPS of getsockopt SO_MEMINFO), which
 * counts the datagrams its filter refused and those lost to a full receive buffer. A u32: it wraps.
 */
static napi_value socket_drops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "socketDrops(fd)");
    return NULL;
  }
  int32_t fd;
  if (!fd_argument(env, argv[0], &fd)) return NULL;
#ifdef __linux__
  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t length = sizeof meminfo;
  memset(meminfo, 0, sizeof meminfo);
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) != 0)
    return throw_errno(env, errno, "getsockopt(SO_MEMINFO)");
  if (length < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) return throw_errno(env, ENOTSUP, "getsockopt(SO_MEMINFO)");
  napi_value result;
  if (napi_create_uint32(env, meminfo[SK_MEMINFO_DROPS], &result) != napi_ok) return NULL;
  return result;
#else
  return throw_errno(env, ENOTSUP, "getsockopt(SO_MEMINFO)");
#endif
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"attachFilter", NULL, attach_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"detachFilter", NULL, detach_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socketDrops", NULL, socket_drops, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 3, properties) != napi_ok) return NULL;
  return exports;
}
