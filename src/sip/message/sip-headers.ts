import { canonicalHeaderName, headerKey } from "./header-names.js";

export interface HeaderField {
  /** Canonical spelling for known headers (compact forms expanded); unknown names as received. */
  readonly name: string;
  /** Lower-case canonical name, for comparisons. */
  readonly key: string;
  readonly value: string;
}

/**
 * Header fields as an ordered list of (name, value) pairs: one pair per value, so a Via header with
 * two comma-separated values and two Via lines look the same. Order is preserved across names.
 */
export class SipHeaders {
  #fields: HeaderField[];

  constructor(fields: Iterable<readonly [string, string]> = []) {
    this.#fields = [];
    for (const [name, value] of fields) this.append(name, value);
  }

  static field(name: string, value: string): HeaderField {
    return { name: canonicalHeaderName(name), key: headerKey(name), value };
  }

  /** First value of `name`, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    return this.#fields.find((f) => f.key === key)?.value;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.#fields) if (f.key === key) out.push(f.value);
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#fields.some((f) => f.key === key);
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  append(name: string, value: string): this {
    this.#fields.push(SipHeaders.field(name, value));
    return this;
  }

  /** Appends a prebuilt field (the parser's fast path: the name is canonicalized once per line). */
  appendField(field: HeaderField): this {
    this.#fields.push(field);
    return this;
  }

  /** Inserts before the first value of `name` (or at the top when absent): e.g. our own Via. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#fields.findIndex((f) => f.key === key);
    this.#fields.splice(Math.max(at, 0), 0, SipHeaders.field(name, value));
    return this;
  }

  /** Replaces every value of `name` with `values`, at the position of the first old value. */
  set(name: string, values: string | readonly string[]): this {
    const list = typeof values === "string" ? [values] : values;
    const key = headerKey(name);
    const at = this.#fields.findIndex((f) => f.key === key);
    this.#fields = this.#fields.filter((f) => f.key !== key);
    const added = list.map((v) => SipHeaders.field(name, v));
    this.#fields.splice(at < 0 ? this.#fields.length : at, 0, ...added);
    return this;
  }

  /** Replaces the first value of `name` (e.g. the top Via), keeping its position. */
  replaceFirst(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#fields.findIndex((f) => f.key === key);
    if (at < 0) this.#fields.push(SipHeaders.field(name, value));
    else this.#fields[at] = SipHeaders.field(name, value);
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    this.#fields = this.#fields.filter((f) => f.key !== key);
    return this;
  }

  fields(): readonly HeaderField[] {
    return this.#fields;
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.#fields = [...this.#fields];
    return copy;
  }
}
