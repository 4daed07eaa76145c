/*
 * wharf's native helper: the few system calls Node lacks that root confinement needs.
 *
 * - chroot(path): confine this process to `path` (then chdir "/"). The kernel then resolves
 *   every path the process uses inside that root: absolute and relative symlinks, at any
 *   depth, even ones an attacker swaps while we work, and `..` stops at the root. This is
 *   Docker's chrootarchive mechanism; wharf runs its file work (layer apply, cp, export,
 *   commit's diff) in a child node process that calls this once all its code is loaded.
 * - mknod(path, mode, major, minor): device nodes, fifos and overlay whiteouts. After a
 *   chroot the mknod(1) program would be the image's own binary, so it must be a syscall.
 *
 * Why not an npm package: none maintained exposes chroot(2) (the old `chroot`/`posix`
 * packages are unmaintained, need node-gyp downloads, and predate N-API), and none exposes
 * mknod. Forty lines of C against node_api.h, built offline by node-gyp with the headers in
 * /usr/include/node, are less to trust than any of them.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static napi_value throw_errno(napi_env env, const char *call, const char *path, int err) {
  char msg[4200];
  snprintf(msg, sizeof msg, "%s %s: %s", call, path, strerror(err));
  napi_value code, message, error;
  const char *name = strerrorname_np(err);
  if (!name) name = "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_value errnoValue;
  napi_create_int32(env, err, &errnoValue);
  napi_set_named_property(env, error, "errno", errnoValue);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

static int get_path(napi_env env, napi_value v, char *buf, size_t len) {
  size_t got = 0;
  if (napi_get_value_string_utf8(env, v, buf, len, &got) != napi_ok || got == 0 || got >= len - 1) {
    napi_throw_type_error(env, NULL, "path must be a non-empty string shorter than 4096 bytes");
    return 0;
  }
  return 1;
}

static napi_value do_chroot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_path(env, argv[0], path, sizeof path)) return NULL;
  if (chroot(path) != 0) return throw_errno(env, "chroot", path, errno);
  if (chdir("/") != 0) return throw_errno(env, "chdir", "/", errno);
  return NULL;
}

static napi_value do_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char path[4096];
  uint32_t mode = 0, major = 0, minor = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || !get_path(env, argv[0], path, sizeof path)) return NULL;
  napi_get_value_uint32(env, argv[1], &mode);
  napi_get_value_uint32(env, argv[2], &major);
  napi_get_value_uint32(env, argv[3], &minor);
  if (mknod(path, (mode_t)mode, makedev(major, minor)) != 0) return throw_errno(env, "mknod", path, errno);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "chroot", NULL, do_chroot, NULL, NULL, NULL, napi_default, NULL },
    { "mknod", NULL, do_mknod, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
