// Reading rows back. Hand-written SELECTs (raw-sql.ts, db.all) return rows keyed by column name with
// the driver's values; readers map them to the table's drizzle select shape through the table's own
// columns, so each store has one row mapper for both paths and the schema stays the only description.
import { getTableColumns, type InferSelectModel } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { SqlRow } from "./raw-sql";

type Field<T extends SQLiteTable> = keyof InferSelectModel<T> & string;

interface Decoder {
  field: string;
  column: string;
  decode(v: unknown): unknown;
}

/** A reader of raw rows as `Pick<select shape, fields>`; `columns` is the SELECT list that feeds it. */
export interface RowReader<R> {
  (raw: SqlRow): R;
  readonly columns: string;
}

export function rowReader<T extends SQLiteTable, K extends Field<T> = Field<T>>(table: T, fields?: readonly K[]): RowReader<Pick<InferSelectModel<T>, K>> {
  const all = Object.entries(getTableColumns(table));
  const picked = fields ? fields.map((f) => all.find(([name]) => name === f) ?? missing(f)) : all;
  const decoders: Decoder[] = picked.map(([field, c]) => ({ field, column: c.name, decode: (v) => c.mapFromDriverValue(v) }));
  const read = (raw: SqlRow) => {
    const out: Record<string, unknown> = {};
    // As drizzle's own result mapping: NULL stays null, anything else goes through the column.
    for (const d of decoders) {
      const v = raw[d.column];
      out[d.field] = v === null || v === undefined ? null : d.decode(v);
    }
    return out as Pick<InferSelectModel<T>, K>;
  };
  return Object.assign(read, { columns: decoders.map((d) => d.column).join(", ") });
}

const whole = new WeakMap<SQLiteTable, RowReader<unknown>>();

/** The reader of whole rows (`SELECT *`, `table.*`) of a table, built once. */
export function readerOf<T extends SQLiteTable>(table: T): RowReader<InferSelectModel<T>> {
  let r = whole.get(table);
  if (!r) {
    r = rowReader(table);
    whole.set(table, r);
  }
  return r as RowReader<InferSelectModel<T>>;
}

function missing(field: string): never {
  throw new Error(`no column for field ${field}`);
}

/**
 * A blob as the records hold it: a Uint8Array of its own, empty for NULL. A row's Buffer that spans its
 * whole ArrayBuffer (how the driver hands blobs over) is viewed rather than copied; a slice is copied,
 * so a record never exposes memory beyond its bytes.
 */
export function bytes(b: Uint8Array | null): Uint8Array {
  if (!b) return new Uint8Array();
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer) : new Uint8Array(b);
}

/** As bytes, but NULL stays null. */
export function bytesOrNull(b: Uint8Array | null): Uint8Array | null {
  return b ? bytes(b) : null;
}
