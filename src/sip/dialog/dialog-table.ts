import type { Dialog, DialogId } from "./dialog.js";
import { dialogKey } from "./dialog.js";

/** The dialogs of one user agent, by id (RFC 3261 12.2.2 matching), with their usage attached. */
export class DialogTable<U> {
  readonly #entries = new Map<string, { dialog: Dialog; usage: U }>();

  get size(): number {
    return this.#entries.size;
  }

  add(dialog: Dialog, usage: U): void {
    this.#entries.set(dialog.key, { dialog, usage });
  }

  find(id: DialogId): { dialog: Dialog; usage: U } | undefined {
    return this.#entries.get(dialogKey(id));
  }

  remove(dialog: Dialog): void {
    const entry = this.#entries.get(dialog.key);
    if (entry?.dialog === dialog) this.#entries.delete(dialog.key);
  }

  usages(): U[] {
    return [...this.#entries.values()].map((e) => e.usage);
  }
}
