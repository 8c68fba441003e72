;; 2:1 and 1:2 resampling with 128-bit SIMD (f32x4): the wasm twin of factor-two-resampler.ts.
;; Compiled by scripts/build-wasm.ts into factor-two-simd-bytes.ts (committed); a unit test checks
;; that the committed bytes are what this text compiles to.
;;
;; Both directions use the same 49-tap symmetric prototype (24 coefficient pairs + middle tap) and
;; keep a 24-sample history per stream, so the constants 24 (samples) and 96 (bytes) are fixed here;
;; factor-two-simd.ts only uses this module when the prototype has 49 taps.
;;
;; Four consecutive outputs share one f32x4 lane vector; each loop step computes eight outputs
;; (two vectors) per coefficient load. Sums are float32; the result is rounded to nearest (ties to
;; even) and saturated to int16.
;;
;; Memory layout is chosen by the caller: `state` is the resampler's region (history + one frame),
;; `coef` the folded coefficients (float32), `in`/`out` int16 staging buffers.
(module
  (memory (export "memory") 1)

  ;; 2:1 decimation of `n` int16 inputs (n multiple of 16) into n/2 int16 outputs.
  ;; state: E (even inputs) then O (odd inputs), each 24 + n/2 float32.
  ;; coef: e[0..12) = fold[0], fold[2], .. fold[22]; middle = fold[24]; o[0..12) = fold[1], .. fold[23].
  ;; Output m = sum_u e[u] (E[m+u] + E[m+24-u]) + middle E[m+12] + sum_u o[u] (O[m+u] + O[m+23-u]).
  (func (export "down") (param $state i32) (param $coef i32) (param $in i32) (param $out i32) (param $n i32)
    (local $half i32) (local $e i32) (local $o i32) (local $p i32) (local $end i32)
    (local $lo i32) (local $hi i32) (local $c i32) (local $cEnd i32)
    (local $v v128) (local $k v128) (local $a v128) (local $b v128)
    (local.set $half (i32.shr_u (local.get $n) (i32.const 1)))
    (local.set $e (local.get $state))
    (local.set $o
      (i32.add (local.get $state) (i32.shl (i32.add (local.get $half) (i32.const 24)) (i32.const 2))))
    ;; Deinterleave and convert: 16 input bytes = 4 (even, odd) pairs = one i32x4, even in the low half.
    (local.set $p (i32.const 0))
    (local.set $end (i32.shl (local.get $n) (i32.const 1)))
    (block $converted
      (loop $convert
        (br_if $converted (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $in) (local.get $p))))
        (v128.store offset=96 (i32.add (local.get $e) (local.get $p))
          (f32x4.convert_i32x4_s
            (i32x4.shr_s (i32x4.shl (local.get $v) (i32.const 16)) (i32.const 16))))
        (v128.store offset=96 (i32.add (local.get $o) (local.get $p))
          (f32x4.convert_i32x4_s (i32x4.shr_s (local.get $v) (i32.const 16))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $convert)))
    ;; Outputs: $p is 4 * m (byte offset of output m's stream position), 8 outputs per step.
    (local.set $p (i32.const 0))
    (local.set $end (i32.shl (local.get $half) (i32.const 2)))
    (block $filtered
      (loop $outputs
        (br_if $filtered (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $lo (i32.add (local.get $e) (local.get $p)))
        (local.set $k (v128.load32_splat offset=48 (local.get $coef)))
        (local.set $a (f32x4.mul (local.get $k) (v128.load offset=48 (local.get $lo))))
        (local.set $b (f32x4.mul (local.get $k) (v128.load offset=64 (local.get $lo))))
        ;; Even stream pairs.
        (local.set $hi (i32.add (local.get $lo) (i32.const 96)))
        (local.set $c (local.get $coef))
        (local.set $cEnd (i32.add (local.get $coef) (i32.const 48)))
        (loop $even
          (local.set $k (v128.load32_splat (local.get $c)))
          (local.set $a (f32x4.add (local.get $a) (f32x4.mul (local.get $k)
            (f32x4.add (v128.load (local.get $lo)) (v128.load (local.get $hi))))))
          (local.set $b (f32x4.add (local.get $b) (f32x4.mul (local.get $k)
            (f32x4.add (v128.load offset=16 (local.get $lo)) (v128.load offset=16 (local.get $hi))))))
          (local.set $lo (i32.add (local.get $lo) (i32.const 4)))
          (local.set $hi (i32.sub (local.get $hi) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br_if $even (i32.lt_u (local.get $c) (local.get $cEnd))))
        ;; Odd stream pairs.
        (local.set $lo (i32.add (local.get $o) (local.get $p)))
        (local.set $hi (i32.add (local.get $lo) (i32.const 92)))
        (local.set $c (i32.add (local.get $coef) (i32.const 52)))
        (local.set $cEnd (i32.add (local.get $coef) (i32.const 100)))
        (loop $odd
          (local.set $k (v128.load32_splat (local.get $c)))
          (local.set $a (f32x4.add (local.get $a) (f32x4.mul (local.get $k)
            (f32x4.add (v128.load (local.get $lo)) (v128.load (local.get $hi))))))
          (local.set $b (f32x4.add (local.get $b) (f32x4.mul (local.get $k)
            (f32x4.add (v128.load offset=16 (local.get $lo)) (v128.load offset=16 (local.get $hi))))))
          (local.set $lo (i32.add (local.get $lo) (i32.const 4)))
          (local.set $hi (i32.sub (local.get $hi) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br_if $odd (i32.lt_u (local.get $c) (local.get $cEnd))))
        ;; Output m is at byte 2m = $p / 2.
        (v128.store (i32.add (local.get $out) (i32.shr_u (local.get $p) (i32.const 1)))
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $a)))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $b)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $outputs)))
    ;; Keep the newest 24 samples of each stream: stream[0, 24) = stream[n/2, n/2 + 24).
    (local.set $p (i32.shl (local.get $half) (i32.const 2)))
    (call $keepHistory (local.get $e) (i32.add (local.get $e) (local.get $p)))
    (call $keepHistory (local.get $o) (i32.add (local.get $o) (local.get $p))))

  ;; 1:2 interpolation of `n` int16 inputs (n multiple of 8) into 2n int16 outputs.
  ;; state: X, 24 + n float32. coef: even[0..12), even middle, odd[0..12) (both folds, gain 2).
  ;; Output 2m = sum_i even[i] (X[m+i] + X[m+24-i]) + middle X[m+12];
  ;; output 2m+1 = sum_i odd[i] (X[m+1+i] + X[m+24-i]).
  (func (export "up") (param $state i32) (param $coef i32) (param $in i32) (param $out i32) (param $n i32)
    (local $p i32) (local $end i32) (local $lo i32) (local $hi i32) (local $c i32) (local $cEnd i32)
    (local $v v128) (local $ke v128) (local $ko v128) (local $hiA v128) (local $hiB v128)
    (local $ea v128) (local $eb v128) (local $oa v128) (local $ob v128)
    ;; Convert: 8 int16 (16 bytes) -> 8 float32 (32 bytes) at X[24 + i].
    (local.set $p (i32.const 0))
    (local.set $end (i32.shl (local.get $n) (i32.const 1)))
    (block $converted
      (loop $convert
        (br_if $converted (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $in) (local.get $p))))
        (local.set $lo (i32.add (local.get $state) (i32.shl (local.get $p) (i32.const 1))))
        (v128.store offset=96 (local.get $lo)
          (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))))
        (v128.store offset=112 (local.get $lo)
          (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $convert)))
    ;; $p is 4 * m; inputs m .. m + 7 give outputs 2m .. 2m + 15 per step.
    (local.set $p (i32.const 0))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $filtered
      (loop $outputs
        (br_if $filtered (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $lo (i32.add (local.get $state) (local.get $p)))
        (local.set $ke (v128.load32_splat offset=48 (local.get $coef)))
        (local.set $ea (f32x4.mul (local.get $ke) (v128.load offset=48 (local.get $lo))))
        (local.set $eb (f32x4.mul (local.get $ke) (v128.load offset=64 (local.get $lo))))
        (local.set $oa (v128.const i32x4 0 0 0 0))
        (local.set $ob (v128.const i32x4 0 0 0 0))
        (local.set $hi (i32.add (local.get $lo) (i32.const 96)))
        (local.set $c (local.get $coef))
        (local.set $cEnd (i32.add (local.get $coef) (i32.const 48)))
        (loop $pairs
          (local.set $ke (v128.load32_splat (local.get $c)))
          (local.set $ko (v128.load32_splat offset=52 (local.get $c)))
          (local.set $hiA (v128.load (local.get $hi)))
          (local.set $hiB (v128.load offset=16 (local.get $hi)))
          (local.set $ea (f32x4.add (local.get $ea) (f32x4.mul (local.get $ke)
            (f32x4.add (v128.load (local.get $lo)) (local.get $hiA)))))
          (local.set $eb (f32x4.add (local.get $eb) (f32x4.mul (local.get $ke)
            (f32x4.add (v128.load offset=16 (local.get $lo)) (local.get $hiB)))))
          (local.set $oa (f32x4.add (local.get $oa) (f32x4.mul (local.get $ko)
            (f32x4.add (v128.load offset=4 (local.get $lo)) (local.get $hiA)))))
          (local.set $ob (f32x4.add (local.get $ob) (f32x4.mul (local.get $ko)
            (f32x4.add (v128.load offset=20 (local.get $lo)) (local.get $hiB)))))
          (local.set $lo (i32.add (local.get $lo) (i32.const 4)))
          (local.set $hi (i32.sub (local.get $hi) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br_if $pairs (i32.lt_u (local.get $c) (local.get $cEnd))))
        ;; Output 2m is at byte 4m = $p: interleave (e0 e1 e2 e3 o0 o1 o2 o3) -> (e0 o0 e1 o1 ..).
        (local.set $lo (i32.add (local.get $out) (local.get $p)))
        (v128.store (local.get $lo) (call $interleave (local.get $ea) (local.get $oa)))
        (v128.store offset=16 (local.get $lo) (call $interleave (local.get $eb) (local.get $ob)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $outputs)))
    (call $keepHistory (local.get $state)
      (i32.add (local.get $state) (i32.shl (local.get $n) (i32.const 2)))))

  ;; Rounds, saturates to int16 and interleaves four even and four odd outputs.
  (func $interleave (param $even v128) (param $odd v128) (result v128)
    (i8x16.shuffle 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15
      (i16x8.narrow_i32x4_s
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $even)))
        (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $odd))))
      (v128.const i32x4 0 0 0 0)))

  ;; Copies 24 float32 (96 bytes) from `from` down to `to` (the ranges never overlap: from >= to + 320).
  (func $keepHistory (param $to i32) (param $from i32)
    (v128.store offset=0 (local.get $to) (v128.load offset=0 (local.get $from)))
    (v128.store offset=16 (local.get $to) (v128.load offset=16 (local.get $from)))
    (v128.store offset=32 (local.get $to) (v128.load offset=32 (local.get $from)))
    (v128.store offset=48 (local.get $to) (v128.load offset=48 (local.get $from)))
    (v128.store offset=64 (local.get $to) (v128.load offset=64 (local.get $from)))
    (v128.store offset=80 (local.get $to) (v128.load offset=80 (local.get $from)))))
