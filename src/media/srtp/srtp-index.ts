/**
 * Packet index estimation (RFC 3711 3.3.1 and Appendix A). The index is ROC * 2^16 + SEQ; a
 * receiver guesses the ROC of each packet from its highest sequence number s_l.
 */

/**
 * RFC 3711 Appendix A: the ROC guess `v` for `seq` given the current `roc` and `sL`.
 * May return `roc - 1` (a late packet from the previous cycle; -1 before the first cycle).
 */
export function estimateRoc(roc: number, sL: number, seq: number): number {
  if (sL < 32768) {
    // "if (SEQ - s_l > 32768) set v to (ROC-1) mod 2^32 else set v to ROC"
    return seq - sL > 32768 ? roc - 1 : roc;
  }
  // "if (s_l - 32768 > SEQ) set v to (ROC+1) mod 2^32 else set v to ROC"
  return sL - 32768 > seq ? roc + 1 : roc;
}

/** Rollover counter and highest sequence number for one SSRC in one direction. */
export class RolloverState {
  roc = 0;
  sL = -1;

  get started(): boolean {
    return this.sL >= 0;
  }

  /** ROC guess for `seq` (RFC 3711 3.3.1); 0 for the first packet of the stream. */
  estimate(seq: number): number {
    return this.sL < 0 ? 0 : estimateRoc(this.roc, this.sL, seq);
  }

  /**
   * RFC 3711 3.3.1: "if v = ROC + 1 ... ROC is updated to v and s_l to SEQ"; if v = ROC and
   * SEQ > s_l, s_l is updated. Called only after the packet authenticated.
   */
  commit(v: number, seq: number): void {
    if (this.sL < 0) {
      this.roc = v;
      this.sL = seq;
    } else if (v > this.roc) {
      this.roc = v;
      this.sL = seq;
    } else if (v === this.roc && seq > this.sL) {
      this.sL = seq;
    }
  }
}
