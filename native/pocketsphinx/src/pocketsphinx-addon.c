/*
 * Minimal N-API addon over libpocketsphinx (0.8/5prealpha API): one decoder per handle, every
 * blocking call (model load, ps_process_raw, ps_end_utt) runs on the libuv thread pool through
 * napi_create_async_work and returns a Promise, so decoding never blocks the event loop.
 * The TypeScript wrapper (src/pipeline/stt/providers/pocketsphinx/pocketsphinx-addon.ts) serializes
 * calls per decoder; this file still refuses overlapping work on one decoder ("busy").
 *
 * exports:
 *   createDecoder({ hmm, lm, dict, sampleRateHz, args? }) -> Promise<Decoder>
 *       args: extra configuration, ["-name", "value", ...] (ps_args() names, e.g. "-fwdflat", "no");
 *   startUtterance(decoder) -> undefined                      (sync, cheap)
 *   processRaw(decoder, Int16Array, wantPartial) -> Promise<string | null>
 *   endUtterance(decoder) -> Promise<string>                  (final hypothesis, "" if none)
 *   lastConfidence(decoder) -> number                         (posterior of the last final, 0..1;
 *                                                              -1 when the search has no lattice)
 *   cepstralMean(decoder) -> number[]                         (live CMN means, sync)
 *   setCepstralMean(decoder, number[]) -> undefined           (sync, between utterances)
 *   freeDecoder(decoder) -> undefined                         (idempotent; deferred while busy)
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <cmn.h>
#include <err.h>
#include <feat.h>
#include <pocketsphinx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  ps_decoder_t *ps;
  cmd_ln_t *config;
  int busy;
  int free_requested;
  int in_utterance;
  int orphaned; /* JS let go of the handle while work was running: free on completion */
  double last_confidence;
} decoder_t;

typedef enum { WORK_CREATE, WORK_PROCESS, WORK_END } work_kind_t;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  work_kind_t kind;
  decoder_t *decoder;
  int16_t *samples;
  size_t sample_count;
  int want_partial;
  char *hmm, *lm, *dict;
  char samprate[16];
  char **args; /* NULL-terminated "-name", "value" pairs */
  char *result; /* heap copy of the hypothesis, or NULL */
  const char *error_code;
} work_t;

#define CHECK(env, call)                                                                      \
  do {                                                                                        \
    if ((call) != napi_ok) {                                                                  \
      napi_throw_error((env), "pocketsphinx_napi", "N-API call failed: " #call);              \
      return NULL;                                                                            \
    }                                                                                         \
  } while (0)

static void decoder_release(decoder_t *d) {
  if (d->ps != NULL) ps_free(d->ps);
  if (d->config != NULL) cmd_ln_free_r(d->config);
  d->ps = NULL;
  d->config = NULL;
}

static void decoder_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  decoder_t *d = (decoder_t *)data;
  if (d->busy) {
    d->orphaned = 1; /* the pending work's completion frees it */
    return;
  }
  decoder_release(d);
  free(d);
}

static char *dup_string(const char *s) {
  if (s == NULL) return NULL;
  size_t n = strlen(s) + 1;
  char *copy = (char *)malloc(n);
  if (copy != NULL) memcpy(copy, s, n);
  return copy;
}

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

static void work_free(work_t *w) {
  free_strings(w->args);
  free(w->samples);
  free(w->hmm);
  free(w->lm);
  free(w->dict);
  free(w->result);
  free(w);
}

static void execute(napi_env env, void *data) {
  (void)env;
  work_t *w = (work_t *)data;
  decoder_t *d = w->decoder;
  switch (w->kind) {
    case WORK_CREATE: {
      char *base[] = {"ringagent", "-hmm", w->hmm, "-lm", w->lm, "-dict", w->dict,
                      "-samprate", w->samprate};
      size_t n_base = sizeof base / sizeof base[0];
      size_t n_args = 0;
      while (w->args != NULL && w->args[n_args] != NULL) n_args++;
      char **argv = (char **)calloc(n_base + n_args + 1, sizeof(char *));
      if (argv == NULL) {
        w->error_code = "pocketsphinx_memory";
        return;
      }
      memcpy(argv, base, sizeof base);
      for (size_t i = 0; i < n_args; i++) argv[n_base + i] = w->args[i];
      d->config = cmd_ln_parse_r(NULL, ps_args(), (int32)(n_base + n_args), argv, TRUE);
      free(argv);
      if (d->config == NULL) {
        w->error_code = "pocketsphinx_config";
        return;
      }
      d->ps = ps_init(d->config);
      if (d->ps == NULL) {
        w->error_code = "pocketsphinx_model_load";
        return;
      }
      return;
    }
    case WORK_PROCESS: {
      if (ps_process_raw(d->ps, w->samples, w->sample_count, FALSE, FALSE) < 0) {
        w->error_code = "pocketsphinx_decode";
        return;
      }
      if (w->want_partial) {
        int32 score = 0;
        w->result = dup_string(ps_get_hyp(d->ps, &score));
      }
      return;
    }
    case WORK_END: {
      if (ps_end_utt(d->ps) < 0) {
        w->error_code = "pocketsphinx_decode";
        return;
      }
      int32 score = 0;
      w->result = dup_string(ps_get_hyp(d->ps, &score));
      d->last_confidence = -1;
      if (cmd_ln_boolean_r(d->config, "-bestpath") && w->result != NULL) {
        int32 prob = ps_get_prob(d->ps);
        d->last_confidence = logmath_exp(ps_get_logmath(d->ps), prob);
      }
      return;
    }
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  work_t *w = (work_t *)data;
  decoder_t *d = w->decoder;
  d->busy = 0;
  napi_value value = NULL;
  if (status != napi_ok || w->error_code != NULL) {
    const char *code = w->error_code != NULL ? w->error_code : "pocketsphinx_cancelled";
    napi_value code_value, message_value;
    napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
    napi_create_string_utf8(env, "pocketsphinx operation failed", NAPI_AUTO_LENGTH, &message_value);
    napi_create_error(env, code_value, message_value, &value);
    napi_reject_deferred(env, w->deferred, value);
  } else {
    if (w->kind == WORK_CREATE) {
      napi_create_external(env, d, decoder_finalize, NULL, &value);
    } else if (w->result != NULL) {
      napi_create_string_utf8(env, w->result, NAPI_AUTO_LENGTH, &value);
    } else if (w->kind == WORK_END) {
      napi_create_string_utf8(env, "", 0, &value);
    } else {
      napi_get_null(env, &value);
    }
    napi_resolve_deferred(env, w->deferred, value);
  }
  if (w->kind == WORK_CREATE && (status != napi_ok || w->error_code != NULL)) {
    decoder_release(d);
    free(d);
  } else if (d->orphaned) {
    decoder_release(d);
    free(d);
  } else if (d->free_requested) {
    decoder_release(d);
  }
  napi_delete_async_work(env, w->work);
  work_free(w);
}

static napi_value queue_work(napi_env env, work_t *w, const char *name) {
  napi_value promise, resource_name;
  CHECK(env, napi_create_promise(env, &w->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name));
  CHECK(env, napi_create_async_work(env, NULL, resource_name, execute, complete, w, &w->work));
  CHECK(env, napi_queue_async_work(env, w->work));
  return promise;
}

static char *get_string_property(napi_env env, napi_value object, const char *key) {
  napi_value value;
  size_t length = 0;
  if (napi_get_named_property(env, object, key, &value) != napi_ok) return NULL;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *out = (char *)malloc(length + 1);
  if (out == NULL) return NULL;
  napi_get_value_string_utf8(env, value, out, length + 1, &length);
  return out;
}

/* A JS string array as a NULL-terminated C array (missing property: NULL); sets *ok = 0 on a bad value. */
static char **get_string_array(napi_env env, napi_value object, const char *key, int *ok) {
  bool has = false;
  if (napi_has_named_property(env, object, key, &has) != napi_ok || !has) return NULL;
  napi_value array;
  bool is_array = false;
  uint32_t length = 0;
  if (napi_get_named_property(env, object, key, &array) != napi_ok) return NULL;
  napi_valuetype type;
  if (napi_typeof(env, array, &type) == napi_ok && type == napi_undefined) return NULL;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, array, &length) != napi_ok) {
    *ok = 0;
    return NULL;
  }
  char **out = (char **)calloc(length + 1, sizeof(char *));
  if (out == NULL) {
    *ok = 0;
    return NULL;
  }
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    size_t n = 0;
    if (napi_get_element(env, array, i, &item) != napi_ok ||
        napi_get_value_string_utf8(env, item, NULL, 0, &n) != napi_ok) {
      *ok = 0;
      free_strings(out);
      return NULL;
    }
    out[i] = (char *)malloc(n + 1);
    if (out[i] == NULL) {
      *ok = 0;
      free_strings(out);
      return NULL;
    }
    napi_get_value_string_utf8(env, item, out[i], n + 1, &n);
  }
  return out;
}

static decoder_t *get_decoder(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "pocketsphinx_argument", "expected a pocketsphinx decoder");
    return NULL;
  }
  decoder_t *d = (decoder_t *)data;
  if (d->ps == NULL || d->free_requested) {
    napi_throw_error(env, "pocketsphinx_freed", "the pocketsphinx decoder was freed");
    return NULL;
  }
  if (d->busy) {
    napi_throw_error(env, "pocketsphinx_busy", "the pocketsphinx decoder is busy");
    return NULL;
  }
  return d;
}

/*
 * The call's arguments (up to `max`, into argv) and the decoder in argv[0]; throws a usage error
 * and returns NULL when fewer than `need` arguments came or argv[0] is not a usable decoder.
 */
static decoder_t *decoder_call(napi_env env, napi_callback_info info, size_t need, size_t max,
                               napi_value *argv, const char *usage) {
  size_t argc = max;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "pocketsphinx_napi", "napi_get_cb_info failed");
    return NULL;
  }
  if (argc < need) {
    napi_throw_type_error(env, "pocketsphinx_argument", usage);
    return NULL;
  }
  return get_decoder(env, argv[0]);
}

static napi_value create_decoder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "pocketsphinx_argument", "createDecoder needs an options object");
    return NULL;
  }
  work_t *w = (work_t *)calloc(1, sizeof(work_t));
  decoder_t *d = (decoder_t *)calloc(1, sizeof(decoder_t));
  if (w == NULL || d == NULL) {
    free(w);
    free(d);
    napi_throw_error(env, "pocketsphinx_memory", "out of memory");
    return NULL;
  }
  w->kind = WORK_CREATE;
  w->decoder = d;
  w->hmm = get_string_property(env, argv[0], "hmm");
  w->lm = get_string_property(env, argv[0], "lm");
  w->dict = get_string_property(env, argv[0], "dict");
  napi_value rate_value;
  int32_t rate = 16000;
  if (napi_get_named_property(env, argv[0], "sampleRateHz", &rate_value) == napi_ok)
    napi_get_value_int32(env, rate_value, &rate);
  snprintf(w->samprate, sizeof w->samprate, "%d", (int)rate);
  int arrays_ok = 1;
  w->args = get_string_array(env, argv[0], "args", &arrays_ok);
  if (w->hmm == NULL || w->lm == NULL || w->dict == NULL || !arrays_ok) {
    work_free(w);
    free(d);
    napi_throw_type_error(env, "pocketsphinx_argument", "createDecoder needs hmm, lm and dict paths");
    return NULL;
  }
  d->busy = 1;
  return queue_work(env, w, "pocketsphinx.createDecoder");
}

static napi_value start_utterance(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  decoder_t *d = decoder_call(env, info, 1, 1, argv, "startUtterance(decoder)");
  if (d == NULL) return NULL;
  if (ps_start_utt(d->ps) < 0) {
    napi_throw_error(env, "pocketsphinx_decode", "ps_start_utt failed");
    return NULL;
  }
  d->in_utterance = 1;
  return NULL;
}

static napi_value process_raw(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  decoder_t *d = decoder_call(env, info, 2, 3, argv, "processRaw(decoder, Int16Array, wantPartial)");
  if (d == NULL) return NULL;
  if (!d->in_utterance) {
    napi_throw_error(env, "pocketsphinx_state", "processRaw outside an utterance");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  bool is_typed = false;
  CHECK(env, napi_is_typedarray(env, argv[1], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, "pocketsphinx_argument", "expected an Int16Array");
    return NULL;
  }
  CHECK(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL));
  if (type != napi_int16_array) {
    napi_throw_type_error(env, "pocketsphinx_argument", "expected an Int16Array");
    return NULL;
  }
  bool want_partial = false;
  napi_get_value_bool(env, argv[2], &want_partial); /* undefined when not given: stays false */
  work_t *w = (work_t *)calloc(1, sizeof(work_t));
  int16_t *copy = (int16_t *)malloc(length * sizeof(int16_t) + 1);
  if (w == NULL || copy == NULL) {
    free(w);
    free(copy);
    napi_throw_error(env, "pocketsphinx_memory", "out of memory");
    return NULL;
  }
  memcpy(copy, data, length * sizeof(int16_t));
  w->kind = WORK_PROCESS;
  w->decoder = d;
  w->samples = copy;
  w->sample_count = length;
  w->want_partial = want_partial ? 1 : 0;
  d->busy = 1;
  return queue_work(env, w, "pocketsphinx.processRaw");
}

static napi_value end_utterance(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  decoder_t *d = decoder_call(env, info, 1, 1, argv, "endUtterance(decoder)");
  if (d == NULL) return NULL;
  if (!d->in_utterance) {
    napi_throw_error(env, "pocketsphinx_state", "endUtterance outside an utterance");
    return NULL;
  }
  work_t *w = (work_t *)calloc(1, sizeof(work_t));
  if (w == NULL) {
    napi_throw_error(env, "pocketsphinx_memory", "out of memory");
    return NULL;
  }
  w->kind = WORK_END;
  w->decoder = d;
  d->in_utterance = 0;
  d->busy = 1;
  return queue_work(env, w, "pocketsphinx.endUtterance");
}

static napi_value last_confidence(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  decoder_t *d = decoder_call(env, info, 1, 1, argv, "lastConfidence(decoder)");
  if (d == NULL) return NULL;
  napi_value value;
  CHECK(env, napi_create_double(env, d->last_confidence, &value));
  return value;
}

#define MAX_CEP 64

static napi_value cepstral_mean(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  decoder_t *d = decoder_call(env, info, 1, 1, argv, "cepstralMean(decoder)");
  if (d == NULL) return NULL;
  feat_t *feat = ps_get_feat(d->ps);
  if (feat == NULL || feat->cmn_struct == NULL || feat->cmn_struct->veclen > MAX_CEP) return NULL;
  mfcc_t vec[MAX_CEP];
  cmn_live_get(feat->cmn_struct, vec);
  napi_value array;
  CHECK(env, napi_create_array_with_length(env, (size_t)feat->cmn_struct->veclen, &array));
  for (int32 i = 0; i < feat->cmn_struct->veclen; i++) {
    napi_value v;
    CHECK(env, napi_create_double(env, (double)vec[i], &v));
    CHECK(env, napi_set_element(env, array, (uint32_t)i, v));
  }
  return array;
}

static napi_value set_cepstral_mean(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  decoder_t *d = decoder_call(env, info, 2, 2, argv, "setCepstralMean(decoder, number[])");
  if (d == NULL) return NULL;
  if (d->in_utterance) {
    napi_throw_error(env, "pocketsphinx_state", "setCepstralMean inside an utterance");
    return NULL;
  }
  feat_t *feat = ps_get_feat(d->ps);
  uint32_t length = 0;
  bool is_array = false;
  CHECK(env, napi_is_array(env, argv[1], &is_array));
  if (is_array) CHECK(env, napi_get_array_length(env, argv[1], &length));
  if (feat == NULL || feat->cmn_struct == NULL || !is_array || length != (uint32_t)feat->cmn_struct->veclen ||
      length > MAX_CEP) {
    napi_throw_type_error(env, "pocketsphinx_argument", "setCepstralMean needs one number per cepstrum");
    return NULL;
  }
  mfcc_t vec[MAX_CEP];
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    double v = 0;
    CHECK(env, napi_get_element(env, argv[1], i, &item));
    if (napi_get_value_double(env, item, &v) != napi_ok || v != v) {
      napi_throw_type_error(env, "pocketsphinx_argument", "setCepstralMean needs numbers");
      return NULL;
    }
    vec[i] = (mfcc_t)v;
  }
  cmn_live_set(feat->cmn_struct, vec);
  return NULL;
}

static napi_value free_decoder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return NULL;
  void *data = NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) return NULL;
  decoder_t *d = (decoder_t *)data;
  d->free_requested = 1;
  if (!d->busy) decoder_release(d);
  return NULL;
}

/* Library logging is off for the whole process, set once at load (err_set_logfp(NULL) also
 * silences the configuration dump): a per-decoder "-logfn" made every ps_init reopen (and fclose)
 * one global log FILE, racing with decoding on other pool threads that write to it (seen as
 * "free(): invalid pointer" with 20 decoders created at once). */
static napi_value init(napi_env env, napi_value exports) {
  err_set_logfp(NULL);
  napi_property_descriptor props[] = {
      {"createDecoder", NULL, create_decoder, NULL, NULL, NULL, napi_default, NULL},
      {"lastConfidence", NULL, last_confidence, NULL, NULL, NULL, napi_default, NULL},
      {"cepstralMean", NULL, cepstral_mean, NULL, NULL, NULL, napi_default, NULL},
      {"setCepstralMean", NULL, set_cepstral_mean, NULL, NULL, NULL, napi_default, NULL},
      {"startUtterance", NULL, start_utterance, NULL, NULL, NULL, napi_default, NULL},
      {"processRaw", NULL, process_raw, NULL, NULL, NULL, napi_default, NULL},
      {"endUtterance", NULL, end_utterance, NULL, NULL, NULL, napi_default, NULL},
      {"freeDecoder", NULL, free_decoder, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
