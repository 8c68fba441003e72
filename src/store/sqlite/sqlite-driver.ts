/**
 * The slice of better-sqlite3 the store uses, typed here because the package ships no types (and
 * @types/better-sqlite3 is not installed). Loaded with `createRequire` since it is CommonJS.
 */
import { createRequire } from "node:module";

export type SqliteValue = string | number | bigint | null | Buffer;

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: SqliteValue[]): SqliteRunResult;
  get(...params: SqliteValue[]): unknown;
  all(...params: SqliteValue[]): unknown[];
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  function(
    name: string,
    options: { deterministic?: boolean; varargs?: boolean },
    fn: (...args: unknown[]) => SqliteValue,
  ): void;
  close(): void;
  readonly open: boolean;
}

type SqliteDatabaseConstructor = new (path: string, options?: { fileMustExist?: boolean }) => SqliteDatabase;

const require = createRequire(import.meta.url);

export function openSqliteDatabase(path: string): SqliteDatabase {
  const Database = require("better-sqlite3") as SqliteDatabaseConstructor;
  return new Database(path);
}
