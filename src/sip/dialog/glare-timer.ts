/**
 * RFC 3261 14.1: after a 491 to our re-INVITE, "If the UAC is the owner of the Call-ID of the dialog
 * ID (meaning it generated the value), T has a randomly chosen value between 2.1 and 4 seconds in
 * units of 10 ms. If the UAC is not the owner of the Call-ID of the dialog ID, T has a randomly chosen
 * value of between 0 and 2 seconds in units of 10 ms."
 */
export function glareRetryDelayMs(ownsCallId: boolean, random: () => number = Math.random): number {
  const [fromMs, toMs] = ownsCallId ? [2100, 4000] : [0, 2000];
  const steps = (toMs - fromMs) / 10;
  return fromMs + 10 * Math.min(steps, Math.floor(random() * (steps + 1)));
}
