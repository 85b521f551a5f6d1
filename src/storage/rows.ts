/**
 * Typed rows: one place where what a database driver returns (untyped records) becomes a typed
 * row, checked column by column against a declared shape, instead of `as unknown as Row[]` at
 * every call site. A column of the wrong type (a schema and its reader out of step) throws
 * with the column's name instead of flowing on as a lie.
 */

import { CamsweepError, ERR } from '../domain/errors.ts';

export type ColumnType = 'text' | 'text?' | 'int' | 'int?' | 'real' | 'real?' | 'bool';
export type Shape = Readonly<Record<string, ColumnType>>;

type Decode<T extends ColumnType> = T extends 'text'
  ? string
  : T extends 'text?'
    ? string | null
    : T extends 'int' | 'real'
      ? number
      : T extends 'bool'
        ? boolean
        : number | null;

export type RowOf<S extends Shape> = { -readonly [K in keyof S]: Decode<S[K]> };

export class RowShapeError extends CamsweepError {
  constructor(message: string) {
    super(ERR.STORAGE_ROW_SHAPE, message);
    this.name = 'RowShapeError';
  }
}

function decodeValue(column: string, type: ColumnType, value: unknown): unknown {
  const nullable = type.endsWith('?');
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new RowShapeError(`column ${column}: null where ${type} was declared`);
  }
  switch (type) {
    case 'text':
    case 'text?':
      if (typeof value === 'string') return value;
      break;
    case 'int':
    case 'int?':
    case 'real':
    case 'real?':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      // PostgreSQL's int8 and numeric arrive as strings.
      if (typeof value === 'string' && /^-?\d+(\.\d+)?$/u.test(value)) return Number(value);
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      break;
  }
  throw new RowShapeError(`column ${column}: ${typeof value} where ${type} was declared`);
}

/** One row checked against its shape (extra columns are ignored). */
export function rowOf<S extends Shape>(shape: S, raw: unknown): RowOf<S> {
  if (raw === null || typeof raw !== 'object') throw new RowShapeError('not a row');
  const source = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [column, type] of Object.entries(shape)) out[column] = decodeValue(column, type, source[column]);
  return out as RowOf<S>;
}

export function rowsOf<S extends Shape>(shape: S, raw: readonly unknown[]): Array<RowOf<S>> {
  return raw.map((r) => rowOf(shape, r));
}
