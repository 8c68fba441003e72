/**
 * G.722 sub-band ADPCM core (ITU-T G.722 blocks 3L/3H, 4 and the QMF), following the structure of
 * spandsp's g722.c (Steve Underwood, from the CMU/ITU reference). Integer arithmetic throughout.
 */

export function saturate16(v: number): number {
  if (v > 32767) return 32767;
  if (v < -32768) return -32768;
  return v;
}

/** State of one sub-band predictor (ITU-T G.722 block 4). */
export class G722Band {
  s = 0;
  sp = 0;
  sz = 0;
  readonly r = new Int32Array(3);
  readonly a = new Int32Array(3);
  readonly ap = new Int32Array(3);
  readonly p = new Int32Array(3);
  readonly d = new Int32Array(7);
  readonly b = new Int32Array(7);
  readonly bp = new Int32Array(7);
  readonly sg = new Int32Array(7);
  nb = 0;
  det: number;

  constructor(initialDet: number) {
    this.det = initialDet;
  }
}

/** Table/state read; every index used is in range by construction (fixed-size arrays, masked codes). */
const at = (arr: ArrayLike<number>, i: number): number => arr[i] as number;

/** Block 4: reconstruction, pole and zero predictor adaptation, prediction for the next sample. */
export function block4(s: G722Band, d: number): void {
  const { r, a, ap, p, sg, b, bp } = s;
  const dd = s.d;
  // RECONS
  dd[0] = d;
  r[0] = saturate16(s.s + d);
  // PARREC
  p[0] = saturate16(s.sz + d);
  // UPPOL2
  for (let i = 0; i < 3; i++) sg[i] = at(p, i) >> 15;
  let wd1 = saturate16(at(a, 1) << 2);
  let wd2 = at(sg, 0) === at(sg, 1) ? -wd1 : wd1;
  if (wd2 > 32767) wd2 = 32767;
  let wd3 = at(sg, 0) === at(sg, 2) ? 128 : -128;
  wd3 += wd2 >> 7;
  wd3 += (at(a, 2) * 32512) >> 15;
  if (wd3 > 12288) wd3 = 12288;
  else if (wd3 < -12288) wd3 = -12288;
  ap[2] = wd3;
  // UPPOL1
  sg[0] = at(p, 0) >> 15;
  sg[1] = at(p, 1) >> 15;
  wd1 = at(sg, 0) === at(sg, 1) ? 192 : -192;
  wd2 = (at(a, 1) * 32640) >> 15;
  ap[1] = saturate16(wd1 + wd2);
  wd3 = saturate16(15360 - at(ap, 2));
  if (at(ap, 1) > wd3) ap[1] = wd3;
  else if (at(ap, 1) < -wd3) ap[1] = -wd3;
  // UPZERO
  wd1 = d === 0 ? 0 : 128;
  sg[0] = d >> 15;
  for (let i = 1; i < 7; i++) {
    sg[i] = at(dd, i) >> 15;
    wd2 = at(sg, i) === at(sg, 0) ? wd1 : -wd1;
    wd3 = (at(b, i) * 32640) >> 15;
    bp[i] = saturate16(wd2 + wd3);
  }
  // DELAYA
  for (let i = 6; i > 0; i--) {
    dd[i] = at(dd, i - 1);
    b[i] = at(bp, i);
  }
  for (let i = 2; i > 0; i--) {
    r[i] = at(r, i - 1);
    p[i] = at(p, i - 1);
    a[i] = at(ap, i);
  }
  // FILTEP
  wd1 = saturate16(at(r, 1) + at(r, 1));
  wd1 = (at(a, 1) * wd1) >> 15;
  wd2 = saturate16(at(r, 2) + at(r, 2));
  wd2 = (at(a, 2) * wd2) >> 15;
  s.sp = saturate16(wd1 + wd2);
  // FILTEZ
  let sz = 0;
  for (let i = 6; i > 0; i--) {
    wd1 = saturate16(at(dd, i) + at(dd, i));
    sz += (at(b, i) * wd1) >> 15;
  }
  s.sz = saturate16(sz);
  // PREDIC
  s.s = saturate16(s.sp + s.sz);
}

export const qmfCoeffs = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
export const wl = [-60, -30, 58, 172, 334, 538, 1198, 3042];
export const rl42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
export const ilb = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960,
  3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
export const qm4 = [
  0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
];
export const qm2 = [-7408, -1616, 7408, 1616];
export const wh = [0, -214, 798];
export const rh2 = [2, 1, 2, 1];

/** Block 3L: LOGSCL and SCALEL — low band scale factor adaptation from the 4-bit code. */
export function adaptLowScale(band: G722Band, ril: number): void {
  let nb = ((band.nb * 127) >> 7) + at(wl, at(rl42, ril));
  if (nb < 0) nb = 0;
  else if (nb > 18432) nb = 18432;
  band.nb = nb;
  const wd1 = (nb >> 6) & 31;
  const wd2 = 8 - (nb >> 11);
  const wd3 = wd2 < 0 ? at(ilb, wd1) << -wd2 : at(ilb, wd1) >> wd2;
  band.det = wd3 << 2;
}

/** Block 3H: LOGSCH and SCALEH — high band scale factor adaptation from the 2-bit code. */
export function adaptHighScale(band: G722Band, ihigh: number): void {
  let nb = ((band.nb * 127) >> 7) + at(wh, at(rh2, ihigh));
  if (nb < 0) nb = 0;
  else if (nb > 22528) nb = 22528;
  band.nb = nb;
  const wd1 = (nb >> 6) & 31;
  const wd2 = 10 - (nb >> 11);
  const wd3 = wd2 < 0 ? at(ilb, wd1) << -wd2 : at(ilb, wd1) >> wd2;
  band.det = wd3 << 2;
}
