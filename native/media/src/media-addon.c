/*
 * The media engine's hot-path primitives in C, for when profiling showed JS spending a third of a
 * loaded process's CPU in them: node's dgram send path (a request object, async hooks and a libuv
 * write per packet) and SRTP's AES-CM keystream and HMAC-SHA1 tag (RFC 3711 4.1.1, 4.2.1).
 *
 * The crypto is OpenSSL, the very library node:crypto wraps, called through the symbols the node
 * binary exports (no hand-written AES; SHA-1 and AES use OpenSSL's assembly, AES-NI where present).
 * Everything works in place on caller-owned memory: nothing is allocated per packet. The JS wrapper
 * (src/media/native/media-addon.ts) falls back to the pure-JS engine when this addon is not built.
 *
 * exports:
 *   sockaddr(address: string, port: number) -> Uint8Array | null   (struct sockaddr_in/in6 bytes)
 *   sendTo(fd, data: Uint8Array, offset, length, sockaddr: Uint8Array) -> number
 *       bytes sent, or -errno (EAGAIN: the socket buffer is full and the packet is dropped)
 *   aesCmCreate(key: Uint8Array(16), salt: Uint8Array(14)) -> AesCm
 *   aesCmXor(AesCm, buf: Uint8Array, start, end, ssrc, indexHigh16, indexLow32) -> undefined
 *       XORs the SRTP keystream of (ssrc, 48-bit index) into buf[start, end) in place
 *   hmacSha1Create(key: Uint8Array) -> Hmac
 *   hmacSha1Sign(Hmac, data, start, end, trailer32 (-1: none), out, at, tagBytes) -> undefined
 *   hmacSha1Verify(Hmac, data, start, end, trailer32 (-1: none), tag, at, tagBytes) -> boolean
 *       constant-time comparison of the first tagBytes of the HMAC with tag[at, at + tagBytes)
 * Argument errors throw TypeError/RangeError with code "media_addon_argument".
 */
#define NAPI_VERSION 8
#define OPENSSL_SUPPRESS_DEPRECATED
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ARG_CODE "media_addon_argument"

typedef struct {
  EVP_CIPHER_CTX *ctx;
  uint8_t salt[14];
} aes_cm_t;

typedef struct {
  SHA_CTX inner; /* state after key XOR ipad */
  SHA_CTX outer; /* state after key XOR opad */
} hmac_sha1_t;

static napi_value throw_arg(napi_env env, const char *message) {
  napi_throw_type_error(env, ARG_CODE, message);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    throw_arg(env, "too few arguments");
    return 0;
  }
  return 1;
}

static int get_bytes(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = (uint8_t *)raw;
  return 1;
}

static int get_int(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

/* A [start, end) range inside a buffer of `length` bytes. */
static int valid_range(int64_t start, int64_t end, size_t length) {
  return start >= 0 && end >= start && (uint64_t)end <= length;
}

/* Handles carry a type tag, so an Hmac passed where an AesCm is expected is refused, not misread. */
static const napi_type_tag aes_cm_tag = {0x6d6564696161657aULL, 0x73636d0000000001ULL};
static const napi_type_tag hmac_tag = {0x6d65646961686d61ULL, 0x6373686131000001ULL};

static void *get_handle(napi_env env, napi_value value, const napi_type_tag *tag) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return NULL;
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, tag, &tagged) != napi_ok || !tagged) return NULL;
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

static napi_value tagged_external(napi_env env, void *data, napi_finalize finalize, const napi_type_tag *tag) {
  napi_value result;
  if (napi_create_external(env, data, finalize, NULL, &result) != napi_ok) {
    finalize(env, data, NULL);
    return NULL;
  }
  if (napi_type_tag_object(env, result, tag) != napi_ok) return NULL;
  return result;
}

/* --- UDP ------------------------------------------------------------------------------------- */

static napi_value js_sockaddr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  char address[64];
  size_t address_length = 0;
  if (napi_get_value_string_utf8(env, argv[0], address, sizeof address, &address_length) != napi_ok)
    return throw_arg(env, "address must be a string");
  int64_t port = 0;
  if (!get_int(env, argv[1], &port) || port < 0 || port > 65535) return throw_arg(env, "port must be 0-65535");
  napi_value result;
  void *bytes = NULL;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  memset(&v4, 0, sizeof v4);
  memset(&v6, 0, sizeof v6);
  const void *source = NULL;
  size_t size = 0;
  if (inet_pton(AF_INET, address, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons((uint16_t)port);
    source = &v4;
    size = sizeof v4;
  } else if (inet_pton(AF_INET6, address, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons((uint16_t)port);
    source = &v6;
    size = sizeof v6;
  } else {
    napi_get_null(env, &result);
    return result;
  }
  napi_value buffer;
  if (napi_create_arraybuffer(env, size, &bytes, &buffer) != napi_ok) return NULL;
  memcpy(bytes, source, size);
  if (napi_create_typedarray(env, napi_uint8_array, size, buffer, 0, &result) != napi_ok) return NULL;
  return result;
}

static napi_value js_send_to(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  int64_t fd = 0, offset = 0, length = 0;
  uint8_t *data = NULL, *addr = NULL;
  size_t data_length = 0, addr_length = 0;
  if (!get_int(env, argv[0], &fd) || fd < 0 || fd > INT32_MAX) return throw_arg(env, "fd must be a descriptor");
  if (!get_bytes(env, argv[1], &data, &data_length)) return throw_arg(env, "data must be a Uint8Array");
  if (!get_int(env, argv[2], &offset) || !get_int(env, argv[3], &length) ||
      !valid_range(offset, offset + length, data_length))
    return throw_arg(env, "offset/length outside the data");
  if (!get_bytes(env, argv[4], &addr, &addr_length) ||
      (addr_length != sizeof(struct sockaddr_in) && addr_length != sizeof(struct sockaddr_in6)))
    return throw_arg(env, "sockaddr must come from sockaddr()");
  ssize_t sent;
  do {
    sent = sendto((int)fd, data + offset, (size_t)length, MSG_DONTWAIT, (const struct sockaddr *)addr,
                  (socklen_t)addr_length);
  } while (sent < 0 && errno == EINTR);
  napi_value result;
  napi_create_int32(env, sent < 0 ? -errno : (int32_t)sent, &result);
  return result;
}

/* --- AES-CM (RFC 3711 4.1.1) ------------------------------------------------------------------ */

static void aes_cm_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  aes_cm_t *cm = data;
  EVP_CIPHER_CTX_free(cm->ctx);
  OPENSSL_cleanse(cm, sizeof *cm);
  free(cm);
}

static napi_value js_aes_cm_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  uint8_t *key = NULL, *salt = NULL;
  size_t key_length = 0, salt_length = 0;
  if (!get_bytes(env, argv[0], &key, &key_length) || key_length != 16 ||
      !get_bytes(env, argv[1], &salt, &salt_length) || salt_length != 14) {
    napi_throw_range_error(env, ARG_CODE, "AES-CM needs a 16-byte key and 14-byte salt");
    return NULL;
  }
  aes_cm_t *cm = calloc(1, sizeof *cm);
  if (cm == NULL) return throw_arg(env, "out of memory");
  cm->ctx = EVP_CIPHER_CTX_new();
  if (cm->ctx == NULL || EVP_EncryptInit_ex(cm->ctx, EVP_aes_128_ctr(), NULL, key, NULL) != 1) {
    EVP_CIPHER_CTX_free(cm->ctx);
    free(cm);
    napi_throw_error(env, "media_addon_crypto", "AES-128-CTR initialisation failed");
    return NULL;
  }
  memcpy(cm->salt, salt, 14);
  return tagged_external(env, cm, aes_cm_finalize, &aes_cm_tag);
}

static napi_value js_aes_cm_xor(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  aes_cm_t *cm = get_handle(env, argv[0], &aes_cm_tag);
  uint8_t *buf = NULL;
  size_t buf_length = 0;
  int64_t start = 0, end = 0, ssrc = 0, high16 = 0, low32 = 0;
  if (cm == NULL) return throw_arg(env, "not an AesCm");
  if (!get_bytes(env, argv[1], &buf, &buf_length)) return throw_arg(env, "buf must be a Uint8Array");
  if (!get_int(env, argv[2], &start) || !get_int(env, argv[3], &end) || !valid_range(start, end, buf_length))
    return throw_arg(env, "start/end outside the buffer");
  if (!get_int(env, argv[4], &ssrc) || !get_int(env, argv[5], &high16) || !get_int(env, argv[6], &low32))
    return throw_arg(env, "ssrc and index must be numbers");
  int64_t length = end - start;
  if (length == 0) return NULL;
  /* The 16-bit block counter must not carry into the index bits. */
  if ((length + 15) / 16 > 0xffff) {
    napi_throw_range_error(env, ARG_CODE, "AES-CM payload over 2^16 blocks");
    return NULL;
  }
  uint8_t iv[16];
  memcpy(iv, cm->salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  uint32_t s = (uint32_t)ssrc;
  iv[4] ^= (uint8_t)(s >> 24);
  iv[5] ^= (uint8_t)(s >> 16);
  iv[6] ^= (uint8_t)(s >> 8);
  iv[7] ^= (uint8_t)s;
  uint32_t hi = (uint32_t)high16 & 0xffff, lo = (uint32_t)low32;
  iv[8] ^= (uint8_t)(hi >> 8);
  iv[9] ^= (uint8_t)hi;
  iv[10] ^= (uint8_t)(lo >> 24);
  iv[11] ^= (uint8_t)(lo >> 16);
  iv[12] ^= (uint8_t)(lo >> 8);
  iv[13] ^= (uint8_t)lo;
  int out_length = 0;
  uint8_t *at = buf + start;
  if (EVP_EncryptInit_ex(cm->ctx, NULL, NULL, NULL, iv) != 1 ||
      EVP_EncryptUpdate(cm->ctx, at, &out_length, at, (int)length) != 1) {
    napi_throw_error(env, "media_addon_crypto", "AES-128-CTR failed");
  }
  OPENSSL_cleanse(iv, sizeof iv);
  return NULL;
}

/* --- HMAC-SHA1 (RFC 2104) --------------------------------------------------------------------- */

static void hmac_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  OPENSSL_cleanse(data, sizeof(hmac_sha1_t));
  free(data);
}

static napi_value js_hmac_create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  uint8_t *key = NULL;
  size_t key_length = 0;
  if (!get_bytes(env, argv[0], &key, &key_length)) return throw_arg(env, "key must be a Uint8Array");
  uint8_t block[SHA_CBLOCK];
  uint8_t hashed[SHA_DIGEST_LENGTH];
  memset(block, 0, sizeof block);
  if (key_length > SHA_CBLOCK) { /* RFC 2104 2: longer keys are hashed first */
    SHA1(key, key_length, hashed);
    memcpy(block, hashed, sizeof hashed);
  } else if (key_length > 0) {
    memcpy(block, key, key_length);
  }
  hmac_sha1_t *h = calloc(1, sizeof *h);
  if (h == NULL) return throw_arg(env, "out of memory");
  uint8_t pad[SHA_CBLOCK];
  for (int i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&h->inner);
  SHA1_Update(&h->inner, pad, sizeof pad);
  for (int i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&h->outer);
  SHA1_Update(&h->outer, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(hashed, sizeof hashed);
  return tagged_external(env, h, hmac_finalize, &hmac_tag);
}

/* Shared by sign and verify: computes the MAC; returns the tag's destination or NULL (thrown). */
static uint8_t *hmac_compute(napi_env env, napi_value *argv, uint8_t digest[SHA_DIGEST_LENGTH],
                             int64_t *tag_bytes) {
  hmac_sha1_t *h = get_handle(env, argv[0], &hmac_tag);
  uint8_t *data = NULL, *out = NULL;
  size_t data_length = 0, out_length = 0;
  int64_t start = 0, end = 0, trailer = 0, at = 0;
  if (h == NULL) return throw_arg(env, "not an Hmac"), NULL;
  if (!get_bytes(env, argv[1], &data, &data_length)) return throw_arg(env, "data must be a Uint8Array"), NULL;
  if (!get_int(env, argv[2], &start) || !get_int(env, argv[3], &end) || !valid_range(start, end, data_length))
    return throw_arg(env, "start/end outside the data"), NULL;
  if (!get_int(env, argv[4], &trailer)) return throw_arg(env, "trailer32 must be a number"), NULL;
  if (!get_bytes(env, argv[5], &out, &out_length)) return throw_arg(env, "tag must be a Uint8Array"), NULL;
  if (!get_int(env, argv[6], &at) || !get_int(env, argv[7], tag_bytes) || *tag_bytes < 1 ||
      *tag_bytes > SHA_DIGEST_LENGTH || !valid_range(at, at + *tag_bytes, out_length))
    return throw_arg(env, "tag range outside the buffer"), NULL;
  SHA_CTX ctx = h->inner;
  SHA1_Update(&ctx, data + start, (size_t)(end - start));
  if (trailer >= 0) {
    uint32_t t = (uint32_t)trailer;
    uint8_t be[4] = {(uint8_t)(t >> 24), (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t};
    SHA1_Update(&ctx, be, sizeof be);
  }
  uint8_t inner[SHA_DIGEST_LENGTH];
  SHA1_Final(inner, &ctx);
  ctx = h->outer;
  SHA1_Update(&ctx, inner, sizeof inner);
  SHA1_Final(digest, &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out + at;
}

static napi_value js_hmac_sign(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv)) return NULL;
  uint8_t digest[SHA_DIGEST_LENGTH];
  int64_t tag_bytes = 0;
  uint8_t *out = hmac_compute(env, argv, digest, &tag_bytes);
  if (out != NULL) memcpy(out, digest, (size_t)tag_bytes);
  return NULL;
}

static napi_value js_hmac_verify(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv)) return NULL;
  uint8_t digest[SHA_DIGEST_LENGTH];
  int64_t tag_bytes = 0;
  uint8_t *tag = hmac_compute(env, argv, digest, &tag_bytes);
  if (tag == NULL) return NULL;
  napi_value result;
  napi_get_boolean(env, CRYPTO_memcmp(digest, tag, (size_t)tag_bytes) == 0, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sockaddr", NULL, js_sockaddr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendTo", NULL, js_send_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"aesCmCreate", NULL, js_aes_cm_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"aesCmXor", NULL, js_aes_cm_xor, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hmacSha1Create", NULL, js_hmac_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hmacSha1Sign", NULL, js_hmac_sign, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hmacSha1Verify", NULL, js_hmac_verify, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
