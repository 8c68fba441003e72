/** 16-bit RTP sequence number extension (RFC 3550 A.1 idea): unwrap relative to a reference. */

/** The extended sequence closest to `reference` whose low 16 bits are `seq`. */
export function extendSequence(seq: number, reference: number): number {
  const low = reference & 0xffff;
  let delta = (seq - low) & 0xffff;
  if (delta >= 0x8000) delta -= 0x10000;
  return reference + delta;
}
